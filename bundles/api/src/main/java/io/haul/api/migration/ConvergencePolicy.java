package io.haul.api.migration;

import java.time.Duration;

/**
 * When pre-copy stops and the container is frozen.
 *
 * @param downtimeTarget stop when the next round's transfer at the measured bandwidth fits in this
 * @param maxRounds      stop after this many rounds whatever happens
 * @param minPages       stop when a round sends at most this many pages (P.Haul: 64)
 * @param maxGrowth      stop when a round sends more than this fraction more than the previous one (P.Haul: 0.10)
 */
public record ConvergencePolicy(Duration downtimeTarget, int maxRounds, long minPages, double maxGrowth) {

    public static final ConvergencePolicy DEFAULT = new ConvergencePolicy(Duration.ofMillis(300), 10, 64, 0.10);

    public ConvergencePolicy {
        if (downtimeTarget.isNegative() || downtimeTarget.isZero()) {
            throw new IllegalArgumentException("downtime target must be positive, was " + downtimeTarget);
        }
        if (maxRounds < 0) {
            throw new IllegalArgumentException("round cap must be 0 or more, was " + maxRounds);
        }
    }
}
