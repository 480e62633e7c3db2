package io.haul.itests;

import static org.junit.Assert.assertEquals;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One program of the corpus ({@code runtime/corpus/kinds/KIND.c}, see {@code ./haul corpus}), compiled with the
 * machine's cc and run in hostA's network namespace in a PID namespace of its own (and an IPC namespace where its
 * source asks for one with {@code corpus: unshare=--ipc}), in a working folder of its own by which its tasks are
 * found wherever they run. The program says READY in its status file once its kernel object is set up; after
 * {@link #go()} it checks the object and says PASS or FAIL with the reason.
 */
public final class CorpusProgram implements AutoCloseable {

    private static final long READY_SECONDS = 30;
    private static final long VERDICT_SECONDS = 20;

    private final String kind;
    private final Path dir;
    private final Path status;
    private final String hostPidNs = Procs.namespace(ProcessHandle.current().pid(), "pid");
    private Process launcher;
    private long root = -1;

    private CorpusProgram(String kind, Path dir) {
        this.kind = kind;
        this.dir = dir;
        this.status = dir.resolve("status");
    }

    /** The program's source in the checkout. */
    static Path source(Path home, String kind) {
        return home.resolve("runtime/corpus/kinds").resolve(kind + ".c");
    }

    /** Compiles KIND.c into the cluster's work folder and starts it on hostA; returns once it said READY. */
    public static CorpusProgram start(TwoHostCluster cluster, String kind) throws Exception {
        Path source = source(cluster.home, kind);
        String text = Files.readString(source);
        Path binary = Files.createDirectories(cluster.work.resolve("corpus-bin")).resolve(kind);
        List<String> compile = new ArrayList<>(List.of("cc", "-O1", "-o", binary.toString(), source.toString(), "-lrt"));
        String flags = marker(text, "cflags");
        if (flags != null) {
            compile.add(flags);
        }
        Commands.Result compiled = Commands.run(compile, 120);
        assertEquals(kind + ".c compiles:\n" + compiled.output(), 0, compiled.exitCode());
        // the real path: the tasks' cwd links name it so
        CorpusProgram program = new CorpusProgram(kind,
                Files.createDirectories(cluster.work.resolve("corpus-" + kind)).toRealPath());
        List<String> command = new ArrayList<>(List.of(Commands.which("nsenter").toString(),
                "--net=/run/netns/" + cluster.a.name, Commands.which("unshare").toString(), "-p", "-f"));
        String namespaces = marker(text, "unshare");
        if (namespaces != null) {
            command.add(namespaces);
        }
        command.addAll(List.of(Commands.which("setsid").toString(), binary.toString()));
        File devNull = new File("/dev/null");
        program.launcher = new ProcessBuilder(command).directory(program.dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(devNull))
                .redirectOutput(ProcessBuilder.Redirect.to(devNull))
                .redirectError(ProcessBuilder.Redirect.to(devNull))
                .start();
        cluster.own(program);
        String said = program.awaitStatus(READY_SECONDS, "READY", "SETUP");
        if (!said.startsWith("READY")) {
            throw new AssertionError(kind + " could not set its object up: " + said);
        }
        program.root = Procs.children(program.launcher.pid()).get(0);
        return program;
    }

    /** A {@code corpus: NAME=VALUE} marker of the source's first comment, or null. */
    private static String marker(String source, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("corpus: " + name + "=(\\S+)").matcher(source);
        return m.find() ? m.group(1) : null;
    }

    /** The root pid it had when it started (on hostA). */
    public long root() {
        return root;
    }

    /** Asks the program to check its state now (it polls for ./go) and returns its verdict line. */
    public String go() throws Exception {
        Files.writeString(dir.resolve("go"), "");
        return awaitStatus(VERDICT_SECONDS, "PASS", "FAIL");
    }

    /**
     * The program's copies now, by PID namespace: each copy's tasks (the launcher, in this host's PID namespace,
     * aside).
     */
    public Map<String, List<Procs.Task>> copies() {
        return Procs.workingIn(dir).stream().filter(t -> t.cwd().equals(dir.toString()) && !t.pidNs().equals(hostPidNs))
                .collect(Collectors.groupingBy(Procs.Task::pidNs, TreeMap::new, Collectors.toList()));
    }

    /** Exactly one copy runs, every task of it in the given host's network namespace. */
    public void assertOneCopyIn(String host) {
        Map<String, List<Procs.Task>> copies = copies();
        assertEquals(kind + ": exactly one copy runs: " + copies, 1, copies.size());
        String net = Procs.netnsOf(host);
        for (Procs.Task task : copies.values().iterator().next()) {
            assertEquals(kind + ": task " + task + " runs in " + host + "'s network namespace", net, task.netNs());
        }
    }

    private String awaitStatus(long seconds, String... words) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String line = Files.exists(status) ? Files.readString(status).strip() : "";
            for (String word : words) {
                if (line.startsWith(word)) {
                    return line;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(kind + " said no " + String.join(" or ", words) + " within " + seconds
                        + " s (status: '" + line + "'; tasks " + copies() + ")");
            }
            Thread.sleep(50); // the program writes its status file; no event reaches us sooner
        }
    }

    /** Kills every task of every copy by pid (a PID namespace's init ignores SIGTERM), then the launcher. */
    @Override
    public void close() throws InterruptedException {
        Procs.killPidNamespaces(copies().keySet(), launcher, this);
    }

    @Override
    public String toString() {
        return "corpus program " + kind + " (root " + root + ")";
    }
}
