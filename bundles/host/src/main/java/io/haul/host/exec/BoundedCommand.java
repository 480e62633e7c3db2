package io.haul.host.exec;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external command to completion or to its deadline, never longer. Output goes to a temporary file
 * rather than a pipe: a pipe reader could block forever on a grandchild that keeps the pipe open after we
 * killed its parent, and an unread pipe could stall the command itself.
 */
public final class BoundedCommand {

    /** How much of the end of a command's output is kept. */
    public static final int MAX_OUTPUT = 64 * 1024;

    /**
     * @param exitCode the exit status, or -1 when killed at the deadline
     * @param output   stdout and stderr interleaved, the last {@link #MAX_OUTPUT} bytes
     * @param timedOut the command overran and was killed
     */
    public record Result(int exitCode, String output, boolean timedOut) {
    }

    private BoundedCommand() {
    }

    /** Runs {@code command} with stdin from /dev/null; throws only when it cannot be started at all. */
    public static Result run(List<String> command, Duration timeout) throws IOException {
        Path out = Files.createTempFile("haul-host-", ".out");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .start();
            boolean finished;
            try {
                finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                finished = false;
            }
            if (!finished) {
                kill(process);
                return new Result(-1, tail(out), true);
            }
            return new Result(process.exitValue(), tail(out), false);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Kills a process and what it started, and reaps it within a second. */
    public static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            long size = channel.size();
            int length = (int) Math.min(size, MAX_OUTPUT);
            ByteBuffer buffer = ByteBuffer.allocate(length);
            long position = size - length;
            while (buffer.hasRemaining() && channel.read(buffer, position + buffer.position()) > 0) {
                // keep reading until the buffer is full or the file ends
            }
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        }
    }

    /** The last lines of {@code text} that fit in {@code maxChars}, trimmed; "[...]" marks a cut. */
    public static String lastLines(String text, int maxChars) {
        String trimmed = text.strip();
        if (trimmed.length() <= maxChars) {
            return trimmed;
        }
        String end = trimmed.substring(trimmed.length() - maxChars);
        int newline = end.indexOf('\n');
        if (newline >= 0 && newline < end.length() - 1) {
            end = end.substring(newline + 1);
        }
        return "[...]\n" + end.strip();
    }
}
