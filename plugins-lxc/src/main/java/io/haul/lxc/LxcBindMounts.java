package io.haul.lxc;

import io.haul.api.HaulException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The host folders a container bind-mounts ({@code lxc.mount.entry = /usr/lib usr/lib none ro,bind 0 0}): Haul does
 * not copy them, LXC's restore mounts the same path on the destination, so it must be the same folder there (shared
 * storage, or a system folder both hosts have). The source names each by device and inode; the destination
 * refuses before the freeze a path that is another folder there, or none.
 */
record LxcBindMounts(List<Folder> folders) {

    /** A bind-mounted host path, its device and inode on the source. */
    record Folder(String path, long device, long inode) {
    }

    LxcBindMounts {
        folders = List.copyOf(folders);
    }

    /** The container's bind mounts of absolute host paths; optional ones whose source is missing are left out. */
    static LxcBindMounts of(LxcConfig config) throws HaulException {
        List<Folder> folders = new ArrayList<>();
        for (String entry : config.all("lxc.mount.entry")) {
            String[] fields = entry.split("\\s+");
            if (fields.length < 4 || !fields[0].startsWith("/")) {
                continue;
            }
            List<String> options = List.of(fields[3].split(","));
            if (!options.contains("bind") && !options.contains("rbind")) {
                continue;
            }
            Path source = Path.of(fields[0]);
            if (!Files.exists(source) && options.contains("optional")) {
                continue;
            }
            try {
                folders.add(new Folder(fields[0], ((Number) Files.getAttribute(source, "unix:dev")).longValue(),
                        ((Number) Files.getAttribute(source, "unix:ino")).longValue()));
            } catch (IOException | RuntimeException e) {
                throw new HaulException("container.folder", "cannot read the bind mount source " + source + ": "
                        + e.getMessage());
            }
        }
        return new LxcBindMounts(folders);
    }

    /** One line per folder: device, inode, path (paths may hold spaces, so they come last). */
    String encode() {
        StringBuilder text = new StringBuilder();
        folders.forEach(f -> text.append(f.device()).append(' ').append(f.inode()).append(' ').append(f.path())
                .append('\n'));
        return text.toString();
    }

    static LxcBindMounts decode(String text) throws HaulException {
        List<Folder> folders = new ArrayList<>();
        for (String line : text.lines().toList()) {
            String[] fields = line.split(" ", 3);
            try {
                folders.add(new Folder(fields[2], Long.parseLong(fields[0]), Long.parseLong(fields[1])));
            } catch (RuntimeException e) {
                throw new HaulException("check.manifest", "the source's lxc manifest has a malformed bind mount: "
                        + line);
            }
        }
        return new LxcBindMounts(folders);
    }

    /** Refuses the first folder that is not the very same one here. */
    void checkSameHere(String container) throws HaulException {
        for (Folder folder : folders) {
            boolean same;
            try {
                Path here = Path.of(folder.path());
                same = ((Number) Files.getAttribute(here, "unix:dev")).longValue() == folder.device()
                        && ((Number) Files.getAttribute(here, "unix:ino")).longValue() == folder.inode();
            } catch (IOException | RuntimeException e) {
                same = false;
            }
            if (!same) {
                throw new HaulException("check.bind-mount", "the bind mount source " + folder.path() + " of " + container
                        + " is not the same folder on this host (Haul moves the root file system, not bind-mounted host"
                        + " folders: they must be on storage both hosts share)");
            }
        }
    }
}
