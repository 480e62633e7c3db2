package io.haul.host.files;

import io.haul.api.HaulException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * GNU tar's record of an incremental dump ({@code --listed-incremental}, format 2: a header line, then the dump's
 * start time as seconds and nanoseconds, NUL-ended, then the folders). The next dump takes every file changed
 * after that time. But a file's change time comes from the kernel's coarse clock, up to a tick (4 ms here) behind
 * the clock tar read its start from: a file written just after a round started can carry a time before it, and
 * a rewrite that keeps its size would then never travel again ("racy" files, as git calls them), not even in the
 * frozen window. Backdating the record by {@link #MARGIN} makes the next round take such files too, at the cost of
 * resending what changed just before a round.
 */
final class TarSnapshot {

    /** Several of the kernel's clock ticks (4 ms at HZ=250, 10 ms at HZ=100), by which its coarse clock may lag. */
    static final Duration MARGIN = Duration.ofMillis(50);
    private static final String HEADER_END = "-2\n";

    private TarSnapshot() {
    }

    /** Moves the recorded start time of the dump {@code snapshot} describes back by {@link #MARGIN}. */
    static void backdate(Path snapshot) throws HaulException {
        try {
            byte[] bytes = Files.readAllBytes(snapshot);
            int header = indexOf(bytes, (byte) '\n', 0) + 1;
            int secondsEnd = indexOf(bytes, (byte) 0, header);
            int nanosEnd = secondsEnd < 0 ? -1 : indexOf(bytes, (byte) 0, secondsEnd + 1);
            String head = new String(bytes, 0, Math.max(0, header), StandardCharsets.US_ASCII);
            if (header <= 0 || nanosEnd < 0 || !head.startsWith("GNU tar-") || !head.endsWith(HEADER_END)) {
                throw new HaulException("file.pack", "GNU tar wrote a snapshot " + snapshot
                        + " of a format Haul does not know (" + head.strip() + ")");
            }
            Instant started = Instant.ofEpochSecond(number(bytes, header, secondsEnd),
                    number(bytes, secondsEnd + 1, nanosEnd));
            Instant backdated = started.minus(MARGIN);
            ByteArrayOutputStream rewritten = new ByteArrayOutputStream(bytes.length);
            rewritten.write(bytes, 0, header);
            rewritten.write((backdated.getEpochSecond() + "\0" + backdated.getNano()).getBytes(StandardCharsets.US_ASCII));
            rewritten.write(bytes, nanosEnd, bytes.length - nanosEnd);
            Files.write(snapshot, rewritten.toByteArray());
        } catch (IOException | NumberFormatException e) {
            throw new HaulException("file.pack", "cannot backdate GNU tar's snapshot " + snapshot + ": " + e.getMessage());
        }
    }

    private static long number(byte[] bytes, int from, int to) {
        return Long.parseLong(new String(bytes, from, to - from, StandardCharsets.US_ASCII));
    }

    private static int indexOf(byte[] bytes, byte wanted, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }
}
