package io.haul.criu.internal;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Test glue: a process tree in its own PID namespace ({@code unshare -p -f setsid sh -c ...}) that writes a
 * counter to a host file every 50 ms. The namespace's init (the shell, child of unshare) is the tree's root.
 */
final class Workload implements AutoCloseable {

    private final Process unshare;
    private final long init;
    private final Path counter;

    private Workload(Process unshare, long init, Path counter) {
        this.unshare = unshare;
        this.init = init;
        this.counter = counter;
    }

    /** The counting shell loop, in {@code dir}. */
    static Workload counting(Path dir) throws IOException {
        Path counter = dir.resolve("counter");
        String loop = "exec </dev/null >/dev/null 2>&1; i=0; while :; do i=$((i+1)); echo $i > " + counter
                + ".tmp; mv " + counter + ".tmp " + counter + "; sleep 0.05; done";
        Workload workload = start(List.of("unshare", "-p", "-f", "setsid", "sh", "-c", loop), counter,
                ProcessBuilder.Redirect.DISCARD);
        workload.awaitCounter(value -> value >= 2, Duration.ofSeconds(10));
        return workload;
    }

    /**
     * {@code unshare -p -f FLAGS... setsid sh -c SCRIPT}, its stdout and stderr going to {@code output} (a file
     * opened here, outside any namespace the flags make).
     */
    static Workload shell(List<String> unshareFlags, String script, Path output) throws IOException {
        List<String> argv = new ArrayList<>(List.of("unshare", "-p", "-f"));
        argv.addAll(unshareFlags);
        argv.addAll(List.of("setsid", "sh", "-c", script));
        return start(argv, null, ProcessBuilder.Redirect.appendTo(output.toFile()));
    }

    private static Workload start(List<String> argv, Path counter, ProcessBuilder.Redirect output)
            throws IOException {
        Process unshare = new ProcessBuilder(argv)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(output)
                .redirectErrorStream(true)
                .start();
        Path children = Path.of("/proc", Long.toString(unshare.pid()), "task", Long.toString(unshare.pid()), "children");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                String text = Files.readString(children).strip();
                if (!text.isEmpty()) {
                    return new Workload(unshare, Long.parseLong(text.split("\\s+")[0]), counter);
                }
            } catch (IOException e) {
                // not there yet, or unshare failed: the deadline decides
            }
            sleep(5);
        }
        unshare.destroyForcibly();
        throw new IOException("no namespace init under unshare " + unshare.pid() + " within 10 s");
    }

    /** The namespace's init: the root CRIU dumps. */
    long root() {
        return init;
    }

    Path counterFile() {
        return counter;
    }

    /** The counter now; -1 when it cannot be read. */
    long counter() {
        try {
            return Long.parseLong(Files.readString(counter).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Polls the counter every 2 ms until the predicate holds; returns that value. */
    long awaitCounter(LongPredicate condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long value = -1;
        while (System.nanoTime() < deadline) {
            value = counter();
            if (value >= 0 && condition.test(value)) {
                return value;
            }
            sleep(2);
        }
        return fail("the counter in " + counter + " stayed at " + value + " for " + timeout.toMillis() + " ms");
    }

    /** The counter, checked to stay the same over {@code interval} (the tree does not run). */
    long assertStill(Duration interval) {
        long before = counter();
        sleep(interval.toMillis());
        long after = counter();
        if (before != after) {
            fail("the counter moved from " + before + " to " + after + " in " + interval.toMillis() + " ms");
        }
        return after;
    }

    /** SIGKILL to the namespace init and to unshare, by pid; waits for unshare to end. */
    @Override
    public void close() {
        ProcessHandle.of(init).ifPresent(ProcessHandle::destroyForcibly);
        unshare.destroyForcibly();
        try {
            unshare.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
