package io.haul.api.migration;

import java.time.Duration;
import java.time.Instant;

/**
 * Something happened in a migration: a phase began or ended, or a transfer moved on.
 *
 * @param migrationId     the migration
 * @param phase           the phase it belongs to
 * @param message         for people
 * @param done            units done (bytes during transfers), or -1 when not a transfer
 * @param total           units expected, or -1 when unknown
 * @param bytesPerSecond  the measured rate during a transfer, else 0
 * @param eta             during a transfer of known size, how long the rest should take at that rate; else null
 * @param outcome         {@link Outcome#IN_PROGRESS}, or on the migration's last event how it ended
 * @param at              when
 */
public record ProgressEvent(String migrationId, Phase phase, String message, long done, long total,
        double bytesPerSecond, Duration eta, Outcome outcome, Instant at) {

    /** The time the rest of a transfer should take at the rate so far, or null when that is not known. */
    public static Duration eta(long done, long total, double bytesPerSecond) {
        if (total < 0 || done < 0 || bytesPerSecond <= 0) {
            return null;
        }
        return Duration.ofNanos((long) (Math.max(0, total - done) / bytesPerSecond * 1e9));
    }

    /** Whether this is the migration's last event. */
    public boolean last() {
        return outcome != Outcome.IN_PROGRESS;
    }
}
