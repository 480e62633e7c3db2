package io.haul.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A counter a test container writes into a file, read from the host as it goes on. */
public final class CounterFile {

    private CounterFile() {
    }

    /**
     * Waits until the file holds a number above {@code floor} and returns it; polled (the container tells nobody),
     * a read in the middle of a rewrite is read again.
     */
    public static long awaitAbove(Path file, long floor, double seconds) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        String now = "";
        while (System.nanoTime() < deadline) {
            try {
                now = Files.readString(file).strip();
                if (!now.isEmpty() && Long.parseLong(now) > floor) {
                    return Long.parseLong(now);
                }
            } catch (IOException | NumberFormatException e) {
                // not written yet, or read while being rewritten
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the counter in " + file + " is '" + now + "' after " + seconds + " s (should pass "
                + floor + "): the container does not run on");
    }
}
