package io.haul.lxc;

import io.haul.host.proc.MountInfo;
import io.haul.host.proc.ProcessTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a running container holds that CRIU 4.2 cannot dump, found before anything freezes rather than by a dump
 * failing in the frozen window. Both are what Debian 12's systemd makes as a container's init (measured here with
 * a debootstrap container booting systemd 252): a ramfs for each service given credentials
 * ({@code /run/credentials/UNIT}; CRIU: "FS mnt ... unsupported"), and BPF programs it attaches to its units'
 * cgroups for device and address policies (CRIU: "Can't dump file ... anon_inode:bpf-prog").
 */
final class LxcUndumpable {

    private static final String BPF_PROGRAM = "anon_inode:bpf-prog";

    private LxcUndumpable() {
    }

    /** Why CRIU could not dump the tree of {@code initPid}, or nothing. */
    static List<String> whyNot(long initPid) {
        List<String> why = new ArrayList<>();
        List<Long> tasks = ProcessTree.processes(initPid);
        Set<String> ramfs = new LinkedHashSet<>();
        Set<String> seenNamespaces = new LinkedHashSet<>();
        List<String> bpf = new ArrayList<>();
        for (long pid : tasks) {
            String task = Long.toString(pid);
            try {
                if (seenNamespaces.add(Files.readSymbolicLink(Path.of("/proc", task, "ns", "mnt")).toString())) {
                    MountInfo.of(task).stream().filter(m -> m.fsType().equals("ramfs"))
                            .forEach(m -> ramfs.add(m.mountPoint()));
                }
            } catch (IOException gone) {
                continue; // it exited meanwhile
            }
            long programs = bpfPrograms(task);
            if (programs > 0) {
                bpf.add(task + " (" + comm(task) + ", " + programs + ")");
            }
        }
        if (!ramfs.isEmpty()) {
            why.add("it has ramfs mounts " + String.join(", ", ramfs) + ": CRIU cannot dump ramfs (systemd mounts one"
                    + " at /run/credentials/UNIT for each service given credentials)");
        }
        if (!bpf.isEmpty()) {
            why.add("process(es) " + String.join(", ", bpf) + " hold BPF programs (" + BPF_PROGRAM + "), which CRIU"
                    + " cannot dump (systemd attaches them to its units' cgroups): run a service as the container's"
                    + " init instead of systemd");
        }
        return why;
    }

    private static long bpfPrograms(String pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", pid, "fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals(BPF_PROGRAM);
                } catch (IOException closed) {
                    return false;
                }
            }).count();
        } catch (IOException gone) {
            return 0;
        }
    }

    private static String comm(String pid) {
        try {
            return Files.readString(Path.of("/proc", pid, "comm")).strip();
        } catch (IOException gone) {
            return "?";
        }
    }
}
