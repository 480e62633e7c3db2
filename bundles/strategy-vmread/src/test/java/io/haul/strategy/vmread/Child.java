package io.haul.strategy.vmread;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Test glue: a perl child holding known memory. Its stdout lines are queued as they come, with the time they
 * came; it is killed on close.
 */
final class Child implements AutoCloseable {

    /** A line of the child's output and when the test saw it. */
    record Line(long nanos, String text) {
    }

    static final Path WORKLOAD = Path.of(System.getProperty("user.dir")).resolve("../../runtime/demo/workload.pl")
            .normalize();

    final Process process;
    private final BlockingQueue<Line> lines = new LinkedBlockingQueue<>();

    private Child(List<String> command) throws IOException {
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(new Line(System.nanoTime(), line));
                }
            } catch (IOException e) {
                // the child was killed
            }
        }, "child-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** {@code perl -e SCRIPT}; waits for the script to print "ready". */
    static Child perl(String script) throws Exception {
        Child child = new Child(List.of("perl", "-e", script));
        Line ready = child.lines.poll(60, TimeUnit.SECONDS);
        if (ready == null || !ready.text().equals("ready")) {
            child.close();
            throw new AssertionError("perl did not get ready: " + ready);
        }
        return child;
    }

    /** The demo's workload: MIB mebibytes, every 4 KiB carrying its number; waits for its first status line. */
    static Child workload(int mib, Path status) throws Exception {
        Child child = new Child(List.of("perl", WORKLOAD.toString(), Integer.toString(mib), status.toString()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(status)) {
            if (System.nanoTime() > deadline || !child.process.isAlive()) {
                child.close();
                throw new AssertionError("the workload did not start");
            }
            Thread.sleep(20);
        }
        return child;
    }

    /** A perl child that holds MIB mebibytes of written memory and sleeps. */
    static Child holding(int mib) throws Exception {
        // the size in a variable: a constant 'z' x N would be folded at compile time, and held twice
        return perl("$| = 1; my $mib = " + mib + "; my $d = 'z' x ($mib << 20); print \"ready\\n\"; sleep 600;");
    }

    long pid() {
        return process.pid();
    }

    /** The lines printed so far (after "ready"), emptied from the queue. */
    List<Line> drain() {
        List<Line> out = new ArrayList<>();
        lines.drainTo(out);
        return out;
    }

    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    static void assumeRootAndPerl() throws IOException {
        boolean root = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("Uid:")).map(l -> l.split("\\s+")[2]).anyMatch("0"::equals);
        if (!root) {
            System.out.println("SKIPPED: reading another process's memory needs root (CAP_SYS_PTRACE)");
        }
        Assumptions.assumeTrue(root, "reading another process's memory needs root (CAP_SYS_PTRACE)");
        boolean perl = Files.isExecutable(Path.of("/usr/bin/perl"));
        if (!perl) {
            System.out.println("SKIPPED: no /usr/bin/perl for the workloads");
        }
        Assumptions.assumeTrue(perl, "no /usr/bin/perl for the workloads");
    }
}
