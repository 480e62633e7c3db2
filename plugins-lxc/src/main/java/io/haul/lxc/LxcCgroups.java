package io.haul.lxc;

import io.haul.host.proc.MountInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A restored container's place in the cgroup2 hierarchy of a hybrid layout (cgroup v1 controllers beside a cgroup2
 * mount without controllers, as systemd's "hybrid" mode and this machine have). LXC 5.0.2 gives CRIU's restore a
 * {@code --cgroup-root} for each v1 hierarchy, the cgroup it made for the container here, but none for the cgroup2
 * one, so CRIU puts the restored tasks in the cgroup2 path they had on the source. That path is a cgroup LXC here
 * does not know: when the container stops it removes its own, and the other stays behind, empty. On one kernel (two
 * agents on one machine) it is even the source's own cgroup, which its monitor then cannot remove either. So the
 * destination moves the restored tasks, held before they run, into the cgroup2 cgroup of the same path LXC gave
 * the v1 hierarchies.
 */
final class LxcCgroups {

    private static final Path PROC = Path.of("/proc");

    private LxcCgroups() {
    }

    /** One process's cgroups: the hierarchy's controllers ("" for cgroup2) to the path in it. */
    static Map<String, String> of(long pid) throws IOException {
        return parse(Files.readString(PROC.resolve(Long.toString(pid)).resolve("cgroup")));
    }

    /** From {@code /proc/PID/cgroup}: "4:memory:/lxc.payload.web" lines; "0::/path" is the cgroup2 one. */
    static Map<String, String> parse(String text) {
        Map<String, String> cgroups = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] fields = line.strip().split(":", 3);
            if (fields.length == 3) {
                cgroups.put(fields[1], fields[2]);
            }
        }
        return cgroups;
    }

    /**
     * Where the restored container's tasks must go in cgroup2 and from where, when LXC's v1 cgroups of the restore
     * agree on one path and the cgroup2 one is another; empty when there is nothing to mend (a cgroup2-only or
     * v1-only layout, or the paths already agree).
     */
    static Optional<Move> moveOf(Map<String, String> init) {
        String cgroup2 = init.get("");
        List<String> v1 = init.entrySet().stream().filter(e -> !e.getKey().isEmpty()).map(Map.Entry::getValue)
                .distinct().toList();
        if (cgroup2 == null || v1.size() != 1 || v1.getFirst().equals(cgroup2)) {
            return Optional.empty();
        }
        return Optional.of(new Move(cgroup2, v1.getFirst()));
    }

    /** Tasks in cgroup2 path {@code from} that LXC's restore put in {@code to} in every v1 hierarchy. */
    record Move(String from, String to) {

        /**
         * Moves every process in that pair of cgroups (the restored container's: on one kernel the source's frozen
         * copy is in {@code from} too, but in other v1 cgroups) into cgroup2's {@code to}; how many it moved.
         */
        int apply() throws IOException {
            Path mount = MountInfo.of("self").stream().filter(m -> m.fsType().equals("cgroup2"))
                    .map(m -> Path.of(m.mountPoint())).findFirst()
                    .orElseThrow(() -> new IOException("no cgroup2 file system is mounted here"));
            Path target = mount.resolve(to.substring(1)).resolve("cgroup.procs");
            if (!Files.isRegularFile(target)) {
                throw new IOException("LXC made no cgroup2 cgroup " + to + " (" + target + ")");
            }
            List<Long> ours = new ArrayList<>();
            try (Stream<Path> entries = Files.list(PROC)) {
                for (Path entry : entries.toList()) {
                    String name = entry.getFileName().toString();
                    if (!name.chars().allMatch(Character::isDigit)) {
                        continue;
                    }
                    try {
                        Map<String, String> cgroups = parse(Files.readString(entry.resolve("cgroup")));
                        if (from.equals(cgroups.get("")) && moveOf(cgroups).map(this::equals).orElse(false)) {
                            ours.add(Long.parseLong(name));
                        }
                    } catch (IOException gone) {
                        // a process that ended meanwhile
                    }
                }
            }
            for (long pid : ours) {
                Files.writeString(target, Long.toString(pid)); // one pid per write: the kernel takes one at a time
            }
            return ours.size();
        }
    }
}
