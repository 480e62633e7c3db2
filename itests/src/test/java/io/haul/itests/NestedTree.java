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
 * A process tree with a namespace nested in it, built with {@code unshare} inside {@code unshare}: a root shell in
 * hostA's network namespace and a PID namespace of its own (plus {@code rootNamespaces}), counting in
 * {@code root}, and a child that ran {@code unshare CHILD_FLAGS} and runs {@code childScript} (which counts in
 * {@code child}, or just waits). Each counter is a shell variable written every 100 ms: after a move it goes on
 * from where it was only if the task's state moved. Every descriptor is opened inside the namespaces (the tree's
 * stdio is /dev/null), so CRIU can dump what it holds. Its tasks are recognised wherever they run by their working
 * directory, the tree's own folder; {@link #close} kills them all by pid.
 */
public final class NestedTree implements AutoCloseable {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final long START_SECONDS = 30;

    /** A child loop that counts into {@code $D/child}, with what {@code $D/m/f} holds when it exists. */
    public static final String CHILD_COUNTER = "i=0; while :; do i=$((i+1)); "
            + "if [ -e \"$D/m/f\" ]; then f=$(cat \"$D/m/f\"); else f=-; fi; "
            + "echo \"$i $f\" > \"$D/child.tmp\" && mv \"$D/child.tmp\" \"$D/child\"; sleep 0.1; done";
    /** A child that only waits (a task without write access to the folder: a nested user namespace's). */
    public static final String CHILD_WAITS = "while :; do sleep 0.1; done";

    public final Path dir;
    private final Process launcher;
    private final String childFlags;

    private NestedTree(Path dir, Process launcher, String childFlags) {
        this.dir = dir;
        this.launcher = launcher;
        this.childFlags = childFlags;
    }

    /**
     * Starts the tree and waits until both counters (or the root's, for a child that only waits) have been written.
     *
     * @param childSetup what the child runs first in its own namespaces (a mount), "" for nothing
     */
    public static NestedTree start(TwoHostCluster cluster, String name, List<String> rootNamespaces, String childFlags,
            String childSetup, String childScript) throws Exception {
        Path dir = Files.createDirectories(cluster.work.resolve("nested-" + SEQUENCE.incrementAndGet() + "-" + name))
                .toRealPath();
        Files.createDirectories(dir.resolve("m"));
        String child = (childSetup.isEmpty() ? "" : childSetup + "; ") + childScript;
        String script = "exec </dev/null >/dev/null 2>&1; export D=\"$0\"; "
                + "unshare " + childFlags + " sh -c '" + child + "' & "
                + "i=0; while :; do i=$((i+1)); echo $i > \"$D/root.tmp\" && mv \"$D/root.tmp\" \"$D/root\"; sleep 0.1; done";
        List<String> command = new ArrayList<>(List.of(Commands.which("nsenter").toString(),
                "--net=/run/netns/" + cluster.a.name, Commands.which("unshare").toString(), "-p", "-f"));
        command.addAll(rootNamespaces);
        command.addAll(List.of(Commands.which("setsid").toString(), "sh", "-c", script, dir.toString()));
        File devNull = new File("/dev/null");
        Process launcher = new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(devNull))
                .redirectOutput(ProcessBuilder.Redirect.to(devNull))
                .redirectError(ProcessBuilder.Redirect.to(devNull)).start();
        NestedTree tree = cluster.own(new NestedTree(dir, launcher, childFlags));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        boolean childCounts = childScript.equals(CHILD_COUNTER);
        // no event says "both have forked, unshared and written": the files and /proc are polled
        while (tree.count("root") < 1 || (childCounts && tree.count("child") < 1) || tree.tasks().size() < 2) {
            if (!launcher.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the nested tree " + name + " was not up within " + START_SECONDS + " s: "
                        + command + "; tasks " + tree.tasks());
            }
            Thread.sleep(50);
        }
        return tree;
    }

    /** The tree's tasks now, wherever they run (the launcher, outside the tree, aside). */
    public List<Procs.Task> tasks() {
        return Procs.workingIn(dir).stream().filter(t -> t.cwd().equals(dir.toString()) && t.pid() != launcher.pid())
                .toList();
    }

    /** The root: the task whose parent is not one of the tree's. */
    public long root() {
        List<Procs.Task> tasks = tasks();
        List<Long> pids = tasks.stream().map(Procs.Task::pid).toList();
        return tasks.stream().filter(t -> !pids.contains(t.ppid())).findFirst()
                .orElseThrow(() -> new AssertionError("no root among " + tasks)).pid();
    }

    /**
     * The topmost task in the child's own namespace of {@code kind}: the first whose namespace differs from the
     * root's (the child's shell, below the unshare it exec'd into).
     */
    public long nestedTask(String kind) {
        String rootNs = Procs.namespace(root(), kind);
        return tasks().stream().filter(t -> !Procs.namespace(t.pid(), kind).equals(rootNs)).mapToLong(Procs.Task::pid)
                .min().orElseThrow(() -> new AssertionError("no task of " + dir + " in a " + kind + " namespace of its"
                        + " own (unshare " + childFlags + "): " + tasks()));
    }

    /** The count in {@code root} or {@code child}, 0 before the first. */
    public long count(String file) throws IOException {
        return line(file).map(l -> Long.parseLong(l.split(" ")[0])).orElse(0L);
    }

    /** The child's last line: "COUNT WHAT-$D/m/f-HOLDS". */
    public Optional<String> line(String file) throws IOException {
        Path path = dir.resolve(file);
        if (!Files.exists(path)) {
            return Optional.empty();
        }
        String text = Files.readString(path).strip();
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    /** Waits until the counter passes {@code count}: that task runs. */
    public long awaitCountAbove(String file, long count, double seconds) throws Exception {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (count(file) <= count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the " + file + " counter of " + dir + " stayed at " + count(file) + " for "
                        + seconds + " s: that task does not run; tasks " + tasks());
            }
            Thread.sleep(50); // it counts every 100 ms
        }
        return count(file);
    }

    @Override
    public void close() throws InterruptedException {
        Procs.killAndWait(tasks().stream().map(Procs.Task::pid).toList(), launcher, dir);
    }

    @Override
    public String toString() {
        return "nested tree " + dir.getFileName();
    }
}
