package io.haul.api.strategy;

import java.time.Duration;

/**
 * The figures of one pre-copy round, as they go into the migration record and the progress output.
 *
 * @param round             1 for the first round
 * @param pagesScanned      pages looked at
 * @param pagesChanged      pages whose content differed from what the destination holds
 * @param pagesSent         pages that crossed the wire (changed, minus zero pages sent as flags)
 * @param bytesSent         bytes on the wire for this round
 * @param duration          how long the round took
 * @param dirtyPagesPerSecond measured rate at which the container changes pages
 * @param predictedDowntime what the final transfer would take if pre-copy stopped now
 */
public record RoundStats(int round, long pagesScanned, long pagesChanged, long pagesSent, long bytesSent,
        Duration duration, double dirtyPagesPerSecond, Duration predictedDowntime) {
}
