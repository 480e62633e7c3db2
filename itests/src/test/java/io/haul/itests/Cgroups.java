package io.haul.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The cgroup folders a process is in, one per hierarchy mounted here (cgroup v1 controllers and cgroup2 alike), as
 * {@code /proc/PID/cgroup} names them and {@code /proc/self/mountinfo} places them: what a test checks is gone after
 * the process's container left the host.
 */
final class Cgroups {

    private Cgroups() {
    }

    /** The folders of {@code pid}'s cgroups, e.g. /sys/fs/cgroup/memory/lxc.payload.web; empty when it is gone. */
    static List<Path> of(long pid) throws IOException {
        List<String[]> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            int separator = Arrays.asList(fields).indexOf("-");
            if (separator > 4 && separator + 3 < fields.length && fields[separator + 1].startsWith("cgroup")) {
                // mount point, file system type, super options (the v1 hierarchy's controllers or name=)
                mounts.add(new String[] {fields[4], fields[separator + 1], fields[separator + 3]});
            }
        }
        List<Path> folders = new ArrayList<>();
        Path file = Path.of("/proc", Long.toString(pid), "cgroup");
        if (!Files.exists(file)) {
            return folders;
        }
        for (String line : Files.readAllLines(file)) {
            String[] fields = line.split(":", 3);
            if (fields.length < 3) {
                continue;
            }
            List<String> controllers = fields[1].isEmpty() ? List.of() : List.of(fields[1].split(","));
            for (String[] mount : mounts) {
                List<String> options = List.of(mount[2].split(","));
                boolean match = controllers.isEmpty() ? mount[1].equals("cgroup2")
                        : mount[1].equals("cgroup") && options.containsAll(controllers);
                if (match) {
                    folders.add(Path.of(mount[0], fields[2].substring(1)));
                    break;
                }
            }
        }
        return folders;
    }

    /** Those of the folders that still exist. */
    static List<Path> left(List<Path> folders) {
        return folders.stream().filter(Files::isDirectory).toList();
    }
}
