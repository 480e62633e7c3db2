package io.haul.itests;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A program the test watches while it runs (a {@code migrate} that prints its progress): every line it prints
 * is kept as it comes, and the test can wait for a line, or for its end, with a time bound.
 */
public final class LiveCommand implements AutoCloseable {

    private final List<String> command;
    private final Process process;
    private final List<String> stdout = new ArrayList<>();
    private final List<String> stderr = new ArrayList<>();
    private final Thread outReader;
    private final Thread errReader;
    private final long startedNanos = System.nanoTime();

    private LiveCommand(List<String> command) throws IOException {
        this.command = List.copyOf(command);
        this.process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        this.outReader = Thread.ofPlatform().daemon().name("live-out-" + process.pid())
                .start(() -> pump(process.getInputStream(), stdout));
        this.errReader = Thread.ofPlatform().daemon().name("live-err-" + process.pid())
                .start(() -> pump(process.getErrorStream(), stderr));
    }

    public static LiveCommand start(List<String> command) throws IOException {
        return new LiveCommand(command);
    }

    private void pump(InputStream stream, List<String> into) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (this) {
                    into.add(line);
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // the process ended: nothing more to read
        }
        synchronized (this) {
            notifyAll();
        }
    }

    public long pid() {
        return process.pid();
    }

    /** Seconds since the command started. */
    public double elapsedSeconds() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    public synchronized List<String> stdoutLines() {
        return List.copyOf(stdout);
    }

    public synchronized String output() {
        return String.join("\n", stdout) + (stderr.isEmpty() ? "" : "\n[stderr]\n" + String.join("\n", stderr));
    }

    /** The first stdout line matching, waiting up to {@code seconds} for it; empty when it did not come. */
    public Optional<String> awaitLine(Predicate<String> wanted, double seconds) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        synchronized (this) {
            while (true) {
                Optional<String> found = stdout.stream().filter(wanted).findFirst();
                if (found.isPresent()) {
                    return found;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !outReader.isAlive())) {
                    return Optional.empty();
                }
                // woken by each line and by the end of the output; the bound only ends the wait
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            }
        }
    }

    /** Whether the command ended within {@code seconds}. */
    public boolean awaitEnd(double seconds) throws InterruptedException {
        if (!process.waitFor((long) (seconds * 1000), TimeUnit.MILLISECONDS)) {
            return false;
        }
        outReader.join(5_000);
        errReader.join(5_000);
        return true;
    }

    /** Its result once it ended within {@code seconds}; an AssertionError (it is killed) when it did not. */
    public Commands.Result result(double seconds) throws InterruptedException {
        if (!awaitEnd(seconds)) {
            close();
            throw new AssertionError(command + " did not finish within " + seconds + " s; it printed:\n" + output());
        }
        synchronized (this) {
            return new Commands.Result(process.exitValue(), String.join("\n", stdout) + "\n",
                    String.join("\n", stderr) + (stderr.isEmpty() ? "" : "\n"));
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the command if it still runs (SIGKILL: it is a client, the agent keeps the migration's state). */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
