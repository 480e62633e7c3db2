package io.haul.lxc;

import io.haul.api.ContainerRef;
import io.haul.api.backend.ContainerInfo;
import io.haul.host.proc.Namespaces;
import io.haul.host.proc.ProcessTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * An LXC container of one lxcpath: its name, what liblxc says of its state and init, its configuration file, and
 * what the lxc backend can move of it: a running, not ephemeral container with the {@code dir} backing store under
 * its own folder (an unprivileged one, with id maps, binding no host folder), no console or ttys (they are the
 * host's ptys), interfaces of type {@code empty} or veths on a bridge with a fixed host end name, no process outside
 * its init's tree (lxc-attach's), and nothing CRIU cannot dump ({@link LxcUndumpable}).
 */
record LxcContainer(String name, Path folder, Liblxc.Status status, LxcConfig config) {

    static final String BACKEND = "lxc";
    static final String CONFIG = "config";

    /** The container's configuration file in its folder, or an empty one (then whyNot says so). */
    static LxcConfig readConfig(Path folder) {
        try {
            return LxcConfig.parse(Files.readString(folder.resolve(CONFIG)));
        } catch (IOException e) {
            return LxcConfig.parse("");
        }
    }

    long initPid() {
        return "RUNNING".equals(status.state()) ? Math.max(status.initPid(), 0) : 0;
    }

    /** The root file system on this host: lxc.rootfs.path without its backing store prefix. */
    Optional<Path> rootfs() {
        return config.get("lxc.rootfs.path").map(p -> p.startsWith("dir:") ? p.substring(4) : p)
                .filter(p -> p.startsWith("/")).map(Path::of);
    }

    ContainerInfo info() {
        String whyNot = whyNot();
        long pid = initPid();
        List<Long> tasks = pid > 0 ? ProcessTree.processes(pid) : List.of();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("state", status.state());
        details.put("lxcpath", folder.getParent().toString());
        config.get("lxc.rootfs.path").ifPresent(r -> details.put("rootfs", r));
        return new ContainerInfo(new ContainerRef(BACKEND, name), pid, pid > 0 ? commandOf(pid) : "", tasks.size(),
                ProcessTree.residentBytes(tasks), pid > 0 ? Namespaces.system().ownKindsOrNone(pid) : Set.of(),
                whyNot.isEmpty(), whyNot, details);
    }

    String whyNot() {
        List<String> why = new ArrayList<>();
        if (!"RUNNING".equals(status.state())) {
            why.add("it is " + status.state());
        }
        if (config.lines().isEmpty()) {
            why.add("its configuration " + folder.resolve(CONFIG) + " cannot be read");
            return String.join("; ", why);
        }
        if (config.get("lxc.ephemeral").filter(v -> !v.equals("0")).isPresent()) {
            why.add("it is ephemeral (lxc.ephemeral): LXC destroys it when it stops, as the dump would make it");
        }
        LxcIdMaps maps = LxcIdMaps.of(config);
        maps.whyNot().ifPresent(why::add);
        if (maps.unprivileged()) {
            hostBindsWhyNot().ifPresent(why::add);
        }
        if (!config.all("lxc.include").isEmpty()) {
            why.add("its configuration includes other files (lxc.include), which Haul does not move");
        }
        String rootfs = config.get("lxc.rootfs.path").orElse("");
        int colon = rootfs.indexOf(':');
        String store = rootfs.startsWith("/") ? "dir" : colon > 0 ? rootfs.substring(0, colon) : "";
        if (rootfs.isEmpty()) {
            why.add("it has no lxc.rootfs.path (it runs on the host's root file system)");
        } else if (!store.equals("dir")) {
            why.add("its backing store is " + store + " (lxc.rootfs.path = " + rootfs + "); Haul moves the dir"
                    + " backing store only");
        } else if (rootfs().filter(p -> p.normalize().startsWith(folder)).isEmpty()) {
            why.add("its root file system " + rootfs + " is outside its folder " + folder);
        }
        if (!config.get("lxc.console.path").orElse("").equals("none")) {
            why.add("it has a console (set lxc.console.path = none): the console is a pty of the source host");
        }
        if (!config.get("lxc.tty.max").orElse("0").equals("0")) {
            why.add("it has ttys (set lxc.tty.max = 0): they are ptys of the source host");
        }
        why.addAll(LxcNetwork.whyNot(config));
        long pid = initPid();
        if (pid > 0) {
            List<Long> outside = outsideInit(pid);
            if (!outside.isEmpty()) {
                why.add("process(es) " + outside + " run in it outside its init's tree (lxc-attach's?): CRIU dumps"
                        + " the tree of init, and they would be lost");
            }
            why.addAll(LxcUndumpable.whyNot(pid));
        }
        return String.join("; ", why);
    }

    /**
     * An unprivileged container may bind no host folder: CRIU 4.2.1's restore binds each inside the container's user
     * namespace, and on this kernel that fails ("mnt-v2: Failed to open_tree /usr/lib: Invalid argument"; with
     * mntns-compat-mode "Can't bind-mount at .../usr/lib: Invalid argument"), once the container is frozen.
     */
    private Optional<String> hostBindsWhyNot() {
        List<String> paths;
        try {
            paths = LxcBindMounts.of(config).folders().stream().map(LxcBindMounts.Folder::path).toList();
        } catch (io.haul.api.HaulException e) {
            return Optional.of(e.getMessage());
        }
        if (paths.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("it is unprivileged (lxc.idmap) and bind-mounts host folders (" + String.join(", ", paths)
                + "): CRIU 4.2.1 cannot bind them again inside its user namespace on restore (\"Failed to open_tree"
                + " " + paths.getFirst() + ": Invalid argument\"); remove those lxc.mount.entry lines (busybox is"
                + " static: its template's /lib and /usr/lib binds are not needed)");
    }

    /** Host pids of processes in the init's PID namespace that are not in its tree. */
    private static List<Long> outsideInit(long initPid) {
        Path ns = Path.of("/proc", Long.toString(initPid), "ns", "pid");
        String inode;
        try {
            inode = Files.readSymbolicLink(ns).toString();
        } catch (IOException e) {
            return List.of();
        }
        List<Long> tree = ProcessTree.processes(initPid);
        List<Long> outside = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long pid = Long.parseLong(name);
                try {
                    if (!tree.contains(pid) && Files.readSymbolicLink(entry.resolve("ns/pid")).toString().equals(inode)
                            && !descendsFrom(pid, initPid)) {
                        outside.add(pid);
                    }
                } catch (IOException gone) {
                    // exited meanwhile, or a kernel thread
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return outside;
    }

    /**
     * Whether {@code pid}'s parents lead to {@code ancestor}: a process forked after the tree was read is not
     * outside it.
     */
    private static boolean descendsFrom(long pid, long ancestor) {
        long current = pid;
        for (int depth = 0; depth < 4096 && current > 1; depth++) {
            if (current == ancestor) {
                return true;
            }
            try {
                current = Files.readAllLines(Path.of("/proc", Long.toString(current), "status")).stream()
                        .filter(l -> l.startsWith("PPid:")).map(l -> Long.parseLong(l.substring(5).strip()))
                        .findFirst().orElse(0L);
            } catch (IOException | NumberFormatException e) {
                return true; // it exited meanwhile: nothing of it to lose
            }
        }
        return current == ancestor;
    }

    private static String commandOf(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException e) {
            return "";
        }
    }
}
