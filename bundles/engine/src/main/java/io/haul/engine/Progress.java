package io.haul.engine;

import io.haul.protocol.TransferProgress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** Progress of a stream the source sends, for people: its rate, reported every 16 MiB and at its end. */
final class Progress {

    private static final long STEP_BYTES = 16L << 20;

    private Progress() {
    }

    /** A progress callback of a stream of {@code total} bytes, reported as {@code what} in the record. */
    static TransferProgress every(RecordKeeper record, Clock clock, String what, long total) {
        Instant start = clock.instant();
        long[] nextReport = {0};
        return done -> {
            if (done >= nextReport[0] || done == total) {
                nextReport[0] = done + STEP_BYTES;
                double seconds = Math.max(1e-3, Duration.between(start, clock.instant()).toNanos() / 1e9);
                record.progress(what, done, total, done / seconds);
            }
        };
    }
}
