package io.haul.criu.hold;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cgroup yard a CRIU restore mounts in its work folder ({@code .criu.cgyard.XXXXXX}, a tmpfs with each cgroup
 * controller mounted below it) and unmounts when it ends: a CRIU killed mid-restore leaves it mounted for good.
 * Only the yards in the work folders of CRIUs known to be gone are unmounted (another restore's, beside, is in use).
 */
final class CgroupYards {

    private static final Logger LOG = LoggerFactory.getLogger(CgroupYards.class);
    private static final String PREFIX = ".criu.cgyard.";
    private static final long UMOUNT_SECONDS = 10;

    private CgroupYards() {
    }

    /** Unmounts (lazily, deepest first) every mount of a yard directly in one of {@code workFolders}. */
    static void unmountIn(List<Path> workFolders) {
        if (workFolders.isEmpty()) {
            return;
        }
        List<Path> mounts;
        try {
            mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(line -> line.split(" "))
                    .filter(fields -> fields.length > 4)
                    .map(fields -> Path.of(fields[4].replace("\\040", " ")))
                    .filter(point -> inYard(point, workFolders))
                    .sorted(Comparator.comparingInt(Path::getNameCount).reversed())
                    .toList();
        } catch (IOException e) {
            LOG.warn("cannot read the mount table to unmount CRIU's cgroup yards: {}", e.getMessage());
            return;
        }
        for (Path mount : mounts) {
            try {
                Process umount = new ProcessBuilder("umount", "-l", mount.toString()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!umount.waitFor(UMOUNT_SECONDS, TimeUnit.SECONDS) || umount.exitValue() != 0) {
                    umount.destroyForcibly();
                    LOG.warn("could not unmount {} that a killed CRIU left", mount);
                }
            } catch (IOException e) {
                LOG.warn("could not unmount {} that a killed CRIU left: {}", mount, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (!mounts.isEmpty()) {
            LOG.info("unmounted {} mount(s) of the cgroup yard a killed CRIU left in {}", mounts.size(), workFolders);
        }
    }

    /**
     * Whether {@code point} is a yard directly in one of the folders, or a mount below such a yard. A folder may have
     * been renamed meanwhile: containerd renames the folder of a task it deletes (the failed restore's) to {@code .ID}
     * before it removes it, which the mounts in it prevent.
     */
    private static boolean inYard(Path point, List<Path> workFolders) {
        List<Path> folders = new java.util.ArrayList<>(workFolders);
        workFolders.stream().filter(f -> f.getFileName() != null)
                .forEach(f -> folders.add(f.resolveSibling("." + f.getFileName())));
        for (Path folder : folders) {
            if (point.startsWith(folder) && point.getNameCount() > folder.getNameCount()
                    && point.getName(folder.getNameCount()).toString().startsWith(PREFIX)) {
                return true;
            }
        }
        return false;
    }
}
