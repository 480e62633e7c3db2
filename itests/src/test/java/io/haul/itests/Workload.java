package io.haul.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A process tree to migrate, started in hostA's network namespace in a PID namespace of its own (as the demo
 * starts its workload: {@code nsenter --net unshare -p -f setsid ...}, every descriptor /dev/null but what the
 * tree opens itself). Its core is {@code paged-counter.pl} (test resources): random pages checked against
 * their MD5s and a counter, written to a status file. The tree runs in a folder of its own, and is recognised
 * wherever it runs by its tasks' working directory: not by their command lines, which a lazily restored task
 * shows only once its memory is in (see {@link Procs}).
 */
public final class Workload implements AutoCloseable {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final long START_SECONDS = 60;

    /** A line of the status file: "COUNT PID STATE". */
    public record Status(long count, long pid, String state) {
        public boolean ok() {
            return state.equals("OK");
        }
    }

    private final TwoHostCluster cluster;
    private final String name;
    private final Path dir;
    private final Path status;
    private final Path log;
    private final int processes;
    private Process launcher;
    private long root = -1;
    private final String hostPidNs = Procs.namespace(ProcessHandle.current().pid(), "pid");
    private ContainerNetwork network;
    private boolean logsThroughPipe;

    private Workload(TwoHostCluster cluster, String name, int processes) throws IOException {
        this.cluster = cluster;
        this.name = name;
        // the real path: the tasks' cwd links name it so
        this.dir = Files.createDirectories(cluster.work.resolve("workload-" + SEQUENCE.incrementAndGet() + "-" + name))
                .toRealPath();
        this.status = dir.resolve("status");
        this.log = dir.resolve("pipe.log");
        this.processes = processes;
    }

    private static Path script() {
        return resource("paged-counter.pl");
    }

    private static Path resource(String name) {
        Path home = Path.of(System.getProperty("haul.home", "..")).toAbsolutePath().normalize();
        Path script = home.resolve("itests/src/test/resources/migration").resolve(name);
        if (!Files.isRegularFile(script)) {
            throw new AssertionError("no workload script " + script);
        }
        return script;
    }

    /** One process: the counter itself is the namespace's init. */
    public static Workload single(TwoHostCluster cluster, String name, int mib) throws Exception {
        Workload w = new Workload(cluster, name, 1);
        w.start(List.of("perl", script().toString(), Integer.toString(mib), w.status.toString()));
        return w;
    }

    /**
     * Three processes: a shell (the namespace's init) holding {@link #log()} open for appending as fd 3, the
     * counter, and a second shell reading the counter's lines from a pipe and appending each to fd 3.
     */
    public static Workload piped(TwoHostCluster cluster, String name, int mib) throws Exception {
        Workload w = new Workload(cluster, name, 3);
        w.logsThroughPipe = true;
        w.start(List.of("sh", "-c", "exec 3>>\"$2\"; perl \"$0\" \"$1\" \"$3\" | while read -r line; do "
                + "echo \"piped $line\" >&3; done", script().toString(), Integer.toString(mib), w.log.toString(),
                w.status.toString()));
        return w;
    }

    /** One process holding {@code file} open for reading (fd 4) besides its pages. */
    public static Workload holding(TwoHostCluster cluster, String name, int mib, Path file) throws Exception {
        Workload w = new Workload(cluster, name, 1);
        w.start(List.of("sh", "-c", "exec 4<\"$0\"; exec perl \"$1\" \"$2\" \"$3\"", file.toString(),
                script().toString(), Integer.toString(mib), w.status.toString()));
        return w;
    }

    /** One process holding an flock on {@code locked} (fd 5) and the named FIFO {@code fifo} open (fd 4). */
    public static Workload lockingWithFifo(TwoHostCluster cluster, String name, int mib, Path locked, Path fifo)
            throws Exception {
        Workload w = new Workload(cluster, name, 1);
        w.start(List.of("sh", "-c", "exec 4<>\"$0\" 5>>\"$1\"; flock -x 5; exec perl \"$2\" \"$3\" \"$4\"",
                fifo.toString(), locked.toString(), script().toString(), Integer.toString(mib), w.status.toString()));
        return w;
    }

    /**
     * Two processes joined by a TCP connection over hostA's loopback with data always queued on it
     * ({@code tcp-pair.pl}): the count is the last number the parent read, the state BROKEN once a byte was lost.
     */
    public static Workload tcpPair(TwoHostCluster cluster, String name) throws Exception {
        Workload w = new Workload(cluster, name, 2);
        w.start(List.of("perl", resource("tcp-pair.pl").toString(), w.status.toString()));
        return w;
    }

    /**
     * One process in hostA's network namespace holding a TCP connection to {@code address}:{@code port} (fd 3
     * or above, kept across exec) besides its pages.
     */
    public static Workload connectedTo(TwoHostCluster cluster, String name, int mib, String address, int port)
            throws Exception {
        Workload w = new Workload(cluster, name, 1);
        w.start(List.of("perl", "-MIO::Socket::INET", "-e", "$^F = 255; my $held = IO::Socket::INET->new(PeerAddr => "
                + "shift, PeerPort => shift) or die \"connect: $!\"; exec @ARGV", address, Integer.toString(port), "perl",
                script().toString(), Integer.toString(mib), w.status.toString()));
        return w;
    }

    /**
     * One process in a network namespace of its own, joined to hostA's bridge by {@code network}'s veth:
     * {@code echo-server.pl}'s pages and status, and a TCP server on {@code port} that echoes what its clients
     * send; holding {@code held} open (fd 4) when not null.
     */
    public static Workload networked(TwoHostCluster cluster, String name, int mib, int port, ContainerNetwork network,
            Path held) throws Exception {
        Workload w = new Workload(cluster, name, 1);
        w.network = network;
        w.start(List.of("sh", "-c", "exec 4<\"$0\"; exec perl \"$1\" \"$2\" \"$3\" \"$4\"",
                held == null ? "/dev/null" : held.toString(), resource("echo-server.pl").toString(),
                Integer.toString(mib), Integer.toString(port), w.status.toString()), "-n");
        network.attach(cluster.a.name, w.root);
        return w;
    }

    private void start(List<String> tree, String... moreNamespaces) throws Exception {
        List<String> command = new ArrayList<>(List.of(Commands.which("nsenter").toString(),
                "--net=/run/netns/" + cluster.a.name, Commands.which("unshare").toString(), "-p", "-f"));
        command.addAll(List.of(moreNamespaces));
        command.add(Commands.which("setsid").toString());
        command.addAll(tree);
        File devNull = new File("/dev/null");
        launcher = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(devNull))
                .redirectOutput(ProcessBuilder.Redirect.to(devNull))
                .redirectError(ProcessBuilder.Redirect.to(devNull))
                .start();
        cluster.own(this);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        // no event says "forked, exec'd and wrote its first status": /proc and the file are polled
        while (true) {
            List<Long> kids = Procs.children(launcher.pid());
            if (kids.size() == 1 && sizeOf(status) > 0 && Procs.tree(kids.get(0)).size() == processes
                    && (!logsThroughPipe || sizeOf(log) > 0)) {
                root = kids.get(0);
                return;
            }
            if (!launcher.isAlive()) {
                throw new AssertionError("the workload " + name + " ended at once (exit " + launcher.exitValue() + "): "
                        + command);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the workload " + name + " was not up within " + START_SECONDS + " s: " + command
                        + "; children " + kids);
            }
            Thread.sleep(50);
        }
    }

    /** The root pid the tree had when it started (on hostA). */
    public long root() {
        return root;
    }

    public Path log() {
        return log;
    }

    public int processes() {
        return processes;
    }

    public Status status() throws IOException {
        String[] fields = Files.readString(status).strip().split(" ", 3);
        return new Status(Long.parseLong(fields[0]), Long.parseLong(fields[1]), fields.length > 2 ? fields[2] : "");
    }

    /** Waits until the counter passes {@code count}: the tree runs (somewhere). */
    public Status awaitCountAbove(long count, double seconds) throws Exception {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        Status now = status();
        while (now.count() <= count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the counter of " + name + " stayed at " + now.count() + " for " + seconds
                        + " s (it should pass " + count + "): the tree does not run; its tasks: " + tasks());
            }
            Thread.sleep(50); // the counter ticks every 100 ms
            now = status();
        }
        return now;
    }

    /**
     * Every task of the tree now, wherever it runs (the launcher, in this host's PID namespace, aside): what
     * {@code ps} lists, whether or not a task's memory is in yet.
     */
    public List<Procs.Task> tasks() {
        return Procs.workingIn(dir).stream()
                .filter(t -> t.cwd().equals(dir.toString()) && !t.pidNs().equals(hostPidNs))
                .toList();
    }

    /** The copies of the tree now: its tasks by PID namespace. */
    public Map<String, List<Procs.Task>> copies() {
        return tasks().stream().collect(Collectors.groupingBy(Procs.Task::pidNs, TreeMap::new, Collectors.toList()));
    }

    /**
     * The invariant at the end of a migration, whatever its outcome: exactly one copy of the tree runs, whole,
     * in the given host's network namespace, with no task stopped or traced, and its state is intact (the
     * counter goes on from at least {@code countBefore}, and every page checked is still the page it was).
     * Returns the copy's root pid.
     */
    public long assertOneRunningCopy(String host, long countBefore) throws Exception {
        Map<String, List<Procs.Task>> copies = copies();
        assertEquals("exactly one copy of the tree runs, but there are " + copies.size() + ": " + copies, 1,
                copies.size());
        List<Procs.Task> tasks = copies.values().iterator().next();
        assertEquals("the tree keeps its " + processes + " processes: " + tasks, processes, tasks.size());
        String net = Procs.netnsOf(host);
        for (Procs.Task task : tasks) {
            if (network == null) {
                assertEquals("task " + task + " runs in " + host + "'s network namespace", net, task.netNs());
            } else {
                assertTrue("task " + task + " runs in a network namespace of its own", !net.equals(task.netNs()));
            }
        }
        if (network != null) {
            assertTrue("the tree's host end " + network.hostEnd() + " is in " + host + "'s namespace",
                    network.hostEndIn(host));
        }
        Status before = status();
        Status after = awaitCountAbove(before.count(), 10);
        List<Procs.Task> frozen = tasks().stream().filter(Procs.Task::frozen).toList();
        assertTrue("no task of the tree is stopped or traced: " + frozen, frozen.isEmpty());
        assertTrue("the counter went back from " + countBefore + " to " + after.count() + ": the state was lost",
                after.count() >= countBefore);
        assertEquals("the pages the tree checks are intact", "OK", after.state());
        List<Long> pids = tasks.stream().map(Procs.Task::pid).toList();
        return tasks.stream().filter(t -> !pids.contains(t.ppid())).findFirst()
                .orElseThrow(() -> new AssertionError("no root among " + tasks)).pid();
    }

    /**
     * Kills every copy of the tree and its launcher, by pid: every process of each PID namespace a task of the
     * tree is in (SIGKILL: a PID namespace's init ignores SIGTERM), then waits for them to end.
     */
    @Override
    public void close() throws InterruptedException {
        Procs.killPidNamespaces(copies().keySet(), launcher, this);
        List<Procs.Task> left = tasks();
        if (!left.isEmpty()) {
            System.out.println(this + ": tasks left after close: " + left);
        }
    }

    @Override
    public String toString() {
        return "workload " + name + " (root " + root + ")";
    }

    /** The file's size, 0 while it is not there yet. */
    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
