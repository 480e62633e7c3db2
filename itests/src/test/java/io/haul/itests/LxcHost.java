package io.haul.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One test host's LXC: a private lxcpath, busybox containers made with LXC's own template (fixed as MACHINE.md says
 * this kernel needs: no console or ttys, no bind mounts of symlinked folders) whose init starts a counter kept in a
 * shell's memory, started in the host's network namespace. {@link #close} stops and destroys every container made.
 */
final class LxcHost implements AutoCloseable {

    /** Counts in its shell's memory and writes each value to /tmp/count, five times a second. */
    private static final String COUNTER = "i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 0.2; done";

    final String host;
    final Path lxcpath;
    private final List<String> made = new ArrayList<>();

    LxcHost(String host, Path lxcpath) throws IOException {
        this.host = host;
        this.lxcpath = lxcpath;
        Files.createDirectories(lxcpath);
    }

    /**
     * Makes a busybox container with these extra configuration lines (e.g. its network); its init (busybox's)
     * runs the counter as its own child, in a session of its own, so CRIU dumps it with the tree.
     */
    Path create(String name, List<String> configuration) throws Exception {
        return create(name, configuration, "");
    }

    /** The same, its init also running {@code service} (a shell command line) in the background. */
    Path create(String name, List<String> configuration, String service) throws Exception {
        return create(name, configuration, service, false);
    }

    /**
     * An unprivileged busybox container, as root-owned LXC runs one: its ids mapped to the host's 100000-165535
     * ({@link #MAPPED_ROOT}), its root file system chowned to that range by LXC's template, and no bind mount of a
     * host folder (busybox is static; CRIU cannot bind host folders again inside a user namespace).
     */
    Path createUnprivileged(String name, List<String> configuration) throws Exception {
        List<String> mapped = new ArrayList<>(configuration);
        mapped.add("lxc.idmap = u 0 " + MAPPED_ROOT + " 65536");
        mapped.add("lxc.idmap = g 0 " + MAPPED_ROOT + " 65536");
        Path rootfs = create(name, mapped, "", true);
        for (String file : List.of("counter.sh", "etc/inittab", "etc/init.d/rcS")) {
            Files.setAttribute(rootfs.resolve(file), "unix:uid", (int) MAPPED_ROOT);
            Files.setAttribute(rootfs.resolve(file), "unix:gid", (int) MAPPED_ROOT);
        }
        return rootfs;
    }

    /** The host uid and gid of an unprivileged container's root. */
    static final long MAPPED_ROOT = 100000;

    private Path create(String name, List<String> configuration, String service, boolean noHostBinds)
            throws Exception {
        Path conf = lxcpath.resolve(name + ".conf");
        Files.writeString(conf, String.join("\n", configuration) + "\n");
        made.add(name);
        Commands.Result created = Commands.run(List.of("lxc-create", "-P", lxcpath.toString(), "-n", name, "-t",
                "busybox", "-f", conf.toString()), 120);
        if (created.exitCode() != 0) {
            throw new AssertionError("lxc-create " + name + " failed:\n" + created.output());
        }
        Path folder = lxcpath.resolve(name);
        List<String> config = new ArrayList<>();
        for (String line : Files.readAllLines(folder.resolve("config"))) {
            // the template's ttys and its bind mounts of /lib, /lib64, /usr/lib64 (symlinks or empty here)
            if (line.startsWith("lxc.tty.max") || line.matches("lxc\\.mount\\.entry = /(lib|lib64|usr/lib64) .*")
                    || noHostBinds && line.startsWith("lxc.mount.entry = /")) {
                continue;
            }
            config.add(line);
        }
        config.add("lxc.tty.max = 0");
        Files.write(folder.resolve("config"), config);
        Path rootfs = folder.resolve("rootfs");
        Files.writeString(rootfs.resolve("etc/inittab"), "::sysinit:/etc/init.d/rcS\n");
        Files.writeString(rootfs.resolve("counter.sh"), COUNTER + "\n");
        Files.writeString(rootfs.resolve("etc/init.d/rcS"), "#!/bin/sh\n/bin/mount -a\n"
                + "setsid /bin/sh /counter.sh </dev/null >/dev/null 2>&1 &\n"
                + (service.isEmpty() ? "" : "setsid " + service + " </dev/null >/dev/null 2>&1 &\n"));
        return rootfs;
    }

    /**
     * The cached Debian 12 root file system (runtime/setup/debian-rootfs.sh: debootstrap from the machine's Debian
     * source, made once), or why there is none: then the Debian tests are skipped with that reason.
     */
    static DebianRootfs debianRootfs() throws Exception {
        Path script = Path.of(System.getProperty("haul.home", "..")).toAbsolutePath().normalize()
                .resolve("runtime/setup/debian-rootfs.sh");
        Commands.Result made = Commands.run(List.of(script.toString()), 900);
        return made.exitCode() == 0 ? new DebianRootfs(Path.of(made.stdout().strip()), "")
                : new DebianRootfs(null, script + " failed: " + made.stderr().strip());
    }

    /** The Debian root file system's tarball, or why it cannot be made here. */
    record DebianRootfs(Path tarball, String whyNot) {
    }

    /**
     * Makes a Debian container by hand, as LXC's own templates do (its folder, its root file system unpacked from
     * {@code tarball}, a configuration in LXC's format) with these extra configuration lines: the settings MACHINE.md
     * says this kernel needs (no console, no ttys, no AppArmor line), LXC's usual mounts for a system container, and
     * no lxc.include (Haul refuses configurations that include others).
     */
    Path createDebian(String name, Path tarball, List<String> configuration) throws Exception {
        made.add(name);
        Path folder = lxcpath.resolve(name);
        Path rootfs = Files.createDirectories(folder.resolve("rootfs"));
        Commands.Result unpacked = Commands.run(List.of("tar", "-C", rootfs.toString(), "--numeric-owner", "-xf",
                tarball.toString()), 300);
        if (unpacked.exitCode() != 0) {
            throw new AssertionError("unpacking " + tarball + " failed:\n" + unpacked.output());
        }
        List<String> config = new ArrayList<>(List.of("lxc.uts.name = " + name, "lxc.rootfs.path = dir:" + rootfs,
                "lxc.tty.max = 0", "lxc.console.path = none", "lxc.mount.auto = proc:mixed sys:mixed cgroup:mixed",
                "lxc.autodev = 1", "lxc.cap.drop = sys_module mac_admin mac_override sys_time"));
        config.addAll(configuration);
        Files.write(folder.resolve("config"), config);
        return rootfs;
    }

    /**
     * An LXC tool on this host's lxcpath, run in the host's network namespace: a container's monitor answers on an
     * abstract unix socket, which only its own network namespace sees.
     */
    private Commands.Result lxc(String tool, String name, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + host, tool, "-P",
                lxcpath.toString(), "-n", name));
        command.addAll(List.of(arguments));
        return Commands.run(command, 60);
    }

    /**
     * Starts the container from the host's network namespace with a sysfs of that namespace: LXC looks for the bridge
     * of a veth under /sys/class/net, which shows the namespace sysfs was mounted in (the host's cgroup tree is moved
     * into the new sysfs, as LXC needs it too). Only the start needs this; the agents' LXC reads no interface there.
     */
    void start(String name) throws Exception {
        Path cgroups = Files.createDirectories(lxcpath.resolve(".cgroup-" + name));
        Commands.Result started = Commands.run(List.of("nsenter", "--net=/run/netns/" + host, "unshare", "-m",
                "--propagation", "private", "sh", "-c", "mount --rbind /sys/fs/cgroup \"$0\" && mount -t sysfs "
                + "haul-itest /sys && mount --move \"$0\" /sys/fs/cgroup && exec lxc-start -P \"$1\" -n \"$2\"",
                cgroups.toString(), lxcpath.toString(), name), 60);
        if (started.exitCode() != 0) {
            throw new AssertionError("lxc-start " + name + " failed:\n" + started.output());
        }
    }

    /** Whether LXC says the container runs (lxc-wait's exit status, not its words). */
    boolean running(String name) throws Exception {
        return lxc("lxc-wait", name, "-s", "RUNNING", "-t", "0").exitCode() == 0;
    }

    long initPid(String name) throws Exception {
        Commands.Result info = lxc("lxc-info", name, "-p", "-H");
        String out = info.stdout().strip();
        return out.isEmpty() ? -1 : Long.parseLong(out.replaceAll("\\D", ""));
    }

    /**
     * The counter's last value, read from the container's root file system: its file is empty for a moment at each
     * write (echo > truncates first), so an empty read is read again; -1 before its first value.
     */
    long counter(String name) throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            long value = readCounter(name);
            if (value >= 0) {
                return value;
            }
            Thread.sleep(20);
        }
        return -1;
    }

    private long readCounter(String name) throws IOException {
        Path file = lxcpath.resolve(name).resolve("rootfs/tmp/count");
        try {
            String text = Files.readString(file).strip();
            return text.isEmpty() ? -1 : Long.parseLong(text);
        } catch (java.nio.file.NoSuchFileException | NumberFormatException e) {
            return -1;
        }
    }

    /** Waits until the counter is above {@code floor}: polled, as the container tells nobody. */
    long awaitCounterAbove(String name, long floor) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        long value = -1;
        while (System.nanoTime() < deadline) {
            value = readCounter(name);
            if (value > floor) {
                return value;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("lxc:" + name + " on " + host + ": counter still " + value + ", not above " + floor);
    }

    /** The cgroup folders of the container's init and of its LXC monitor (init's parent), every hierarchy. */
    List<Path> cgroups(String name) throws Exception {
        long init = initPid(name);
        List<Path> folders = new ArrayList<>(Cgroups.of(init));
        Procs.task(init).ifPresent(task -> {
            try {
                folders.addAll(Cgroups.of(task.ppid()));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return folders;
    }

    /**
     * The cgroup folders LXC names for container {@code name} (lxc.payload.NAME, lxc.monitor.NAME and their "-N"
     * variants LXC takes when the name is in use), in the hierarchies {@code known} lie in, other than {@code known}.
     */
    static List<Path> otherCgroups(String name, List<Path> known) throws IOException {
        List<Path> others = new ArrayList<>();
        for (Path hierarchy : known.stream().map(Path::getParent).distinct().toList()) {
            try (java.util.stream.Stream<Path> entries = Files.list(hierarchy)) {
                entries.filter(f -> f.getFileName().toString().matches("lxc\\.(payload|monitor)\\."
                        + java.util.regex.Pattern.quote(name) + "(-[0-9]+)?") && !known.contains(f))
                        .forEach(others::add);
            }
        }
        return others;
    }

    /** Stops it (SIGKILL to its init, lxc-stop -k), waiting until LXC says it stopped. */
    void stop(String name) throws Exception {
        Commands.Result stopped = lxc("lxc-stop", name, "-k");
        if (stopped.exitCode() != 0) {
            throw new AssertionError("lxc-stop " + name + " failed:\n" + stopped.output());
        }
    }

    boolean exists(String name) {
        return Files.exists(lxcpath.resolve(name));
    }

    /** Also for containers a migration made here: stops them (SIGKILL) and destroys them. */
    void forget(String name) throws Exception {
        if (!made.contains(name)) {
            made.add(name);
        }
    }

    @Override
    public void close() throws Exception {
        for (String name : made) {
            lxc("lxc-stop", name, "-k");
            lxc("lxc-destroy", name, "-f");
        }
    }
}
