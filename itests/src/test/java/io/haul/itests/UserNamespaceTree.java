package io.haul.itests;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A process tree in a user namespace of its own, shaped as an unprivileged container is (LXC's, rootless podman's):
 * its ids mapped by {@code uid_map}/{@code gid_map} (written by the test, as root, the way newuidmap would from
 * /etc/subuid), its own mount and PID namespaces, a /proc of its own, and a busybox root file system it pivoted
 * into. Its root counts every 100 ms into {@code /w/count} with the ids it runs as inside and its map ("17 0 0 0
 * 100000 65536"): after a move the count goes on from where it was only if its state moved, and the ids are the
 * same only if the map did. Started in hostA's network namespace; its tasks are recognised by their working folder
 * ({@code ROOTFS/w}); {@link #close} kills them by pid.
 */
public final class UserNamespaceTree implements AutoCloseable {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final long START_SECONDS = 30;

    /**
     * Unshares a user namespace, has a forked helper (still in the host's) write the map into it, becomes its root,
     * and execs the rest: what {@code unshare --map-users} does through newuidmap, which this machine lacks.
     */
    private static final String IN_USER_NAMESPACE = """
            use strict; use POSIX; my $map = shift; my $parent = $$;
            pipe(my $r, my $w) or die; pipe(my $r2, my $w2) or die;
            my $pid = fork() // die "fork: $!";
            if ($pid == 0) { close $w; close $r2; <$r>;
                for my $f ('uid_map', 'gid_map') { open my $o, '>', "/proc/$parent/$f" or die "$f: $!";
                    print $o "$map\\n"; close $o or die "$f: $!"; }
                print $w2 "ok\\n"; close $w2; POSIX::_exit(0); }
            close $r; close $w2;
            syscall(272, 0x10000000) == 0 or die "unshare(CLONE_NEWUSER): $!";
            print $w "go\\n"; close $w; my $ok = <$r2>; waitpid($pid, 0); $ok or die "the map was not written";
            POSIX::setgid(0) or die "setgid: $!"; POSIX::setuid(0) or die "setuid: $!";
            exec @ARGV or die "exec: $!";
            """;
    /** As the tree's init (pid 1, root inside): its own /proc and root, then the counter. $0 is the rootfs. */
    private static final String PIVOT_AND_COUNT = "R=\"$0\"; mount --bind \"$R\" \"$R\" && mount --bind /dev/null"
            + " \"$R/dev/null\" && mount -t proc proc \"$R/proc\" && cd \"$R\" && pivot_root . old && /bin/umount -l /old"
            + " && exec /bin/sh -c 'exec </dev/null >/dev/null 2>&1; cd /w; i=0; while :; do i=$((i+1)); "
            + "echo \"$i $(id -u) $(id -g) $(cat /proc/self/uid_map)\" > count.tmp && mv count.tmp count; sleep 0.1; "
            + "done'";

    /** The tree's root file system. */
    public final Path rootfs;
    private final Path work;
    private final Process launcher;

    private UserNamespaceTree(Path rootfs, Process launcher) {
        this.rootfs = rootfs;
        this.work = rootfs.resolve("w");
        this.launcher = launcher;
    }

    /**
     * Starts the tree and waits for its first count.
     *
     * @param map    the uid and gid map line: "0 100000 65536" (unprivileged), "0 0 4294967295" (privileged)
     * @param hostId the host uid and gid the tree's root is (100000, 0): its folder is made theirs
     */
    public static UserNamespaceTree start(TwoHostCluster cluster, BusyboxRootfs busybox, String map, long hostId)
            throws Exception {
        Path rootfs = cluster.work.resolve("userns-" + SEQUENCE.incrementAndGet()).toAbsolutePath();
        busybox.unpackTo(rootfs);
        rootfs = rootfs.toRealPath();
        for (String dir : List.of("old", "w", "dev", "proc")) {
            Files.createDirectories(rootfs.resolve(dir));
        }
        Files.writeString(rootfs.resolve("dev/null"), ""); // where the host's /dev/null is bound
        Files.setAttribute(rootfs.resolve("w"), "unix:uid", (int) hostId);
        Files.setAttribute(rootfs.resolve("w"), "unix:gid", (int) hostId);
        List<String> command = List.of(Commands.which("nsenter").toString(), "--net=/run/netns/" + cluster.a.name,
                Commands.which("perl").toString(), "-e", IN_USER_NAMESPACE, map, Commands.which("unshare").toString(),
                "-m", "-p", "-f", "--propagation", "private", Commands.which("setsid").toString(), "sh", "-c",
                PIVOT_AND_COUNT, rootfs.toString());
        File devNull = new File("/dev/null");
        Process launcher = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(devNull))
                .redirectOutput(ProcessBuilder.Redirect.to(devNull))
                .redirectError(ProcessBuilder.Redirect.appendTo(cluster.work.resolve("userns-launcher.log").toFile()))
                .start();
        UserNamespaceTree tree = cluster.own(new UserNamespaceTree(rootfs, launcher));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        // no event says "unshared, mapped, pivoted and counting": the file and /proc are polled
        while (tree.count() < 1 || tree.tasks().isEmpty()) {
            if (!launcher.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the user namespace tree (map " + map + ") was not up within " + START_SECONDS
                        + " s: " + command + "; tasks " + tree.tasks() + "; launcher's errors:\n" + Files.readString(
                        cluster.work.resolve("userns-launcher.log")));
            }
            Thread.sleep(50);
        }
        return tree;
    }

    /**
     * The tree's tasks now, wherever they run: those working in its folder. Their cwd link reads "/w" (a path of the
     * root they pivoted into), so the folder is compared by what the link leads to.
     */
    public List<Procs.Task> tasks() {
        List<Procs.Task> tasks = new ArrayList<>();
        try (java.util.stream.Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : entries.filter(e -> e.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (Files.isSameFile(entry.resolve("cwd"), work)) {
                        Procs.task(Long.parseLong(entry.getFileName().toString())).ifPresent(tasks::add);
                    }
                } catch (IOException e) {
                    // gone meanwhile, or a kernel thread: not the tree's
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return tasks.stream().filter(t -> t.pid() != launcher.pid()).toList();
    }

    /** The root: the task whose parent is not one of the tree's. */
    public long root() {
        List<Procs.Task> tasks = tasks();
        List<Long> pids = tasks.stream().map(Procs.Task::pid).toList();
        return tasks.stream().filter(t -> !pids.contains(t.ppid())).findFirst()
                .orElseThrow(() -> new AssertionError("no root among " + tasks)).pid();
    }

    /** The last line the tree wrote: "COUNT UID GID MAP". */
    public Optional<String> line() throws IOException {
        Path path = work.resolve("count");
        if (!Files.exists(path)) {
            return Optional.empty();
        }
        String text = Files.readString(path).strip().replaceAll("\\s+", " ");
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    /** The count, 0 before the first. */
    public long count() throws IOException {
        return line().map(l -> Long.parseLong(l.split(" ")[0])).orElse(0L);
    }

    /** What the line says besides the count: the ids inside and the map ("0 0 0 100000 65536"). */
    public String ids() throws IOException {
        return line().map(l -> l.substring(l.indexOf(' ') + 1)).orElse("");
    }

    /** Waits until the count passes {@code count}: the tree runs. */
    public long awaitCountAbove(long count, double seconds) throws Exception {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (count() <= count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the count of " + rootfs + " stayed at " + count() + " for " + seconds
                        + " s: the tree does not run; tasks " + tasks());
            }
            Thread.sleep(50); // it counts every 100 ms
        }
        return count();
    }

    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> killed = new ArrayList<>();
        for (Procs.Task task : tasks()) {
            ProcessHandle.of(task.pid()).ifPresent(handle -> {
                handle.destroyForcibly();
                killed.add(handle);
            });
        }
        launcher.destroyForcibly();
        launcher.waitFor(10, TimeUnit.SECONDS);
        for (ProcessHandle handle : killed) {
            try {
                handle.onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                System.out.println(rootfs + ": pid " + handle.pid() + " did not end within 10 s of SIGKILL");
            }
        }
    }

    @Override
    public String toString() {
        return "user namespace tree " + rootfs.getFileName();
    }
}
