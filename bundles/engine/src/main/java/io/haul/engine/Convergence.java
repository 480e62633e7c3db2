package io.haul.engine;

import io.haul.api.migration.ConvergencePolicy;
import io.haul.api.strategy.RoundStats;

/**
 * Decides after each pre-copy round whether to freeze now (README.md, "Memory": phase 4): when the rest would go
 * within the downtime target at the measured bandwidth (QEMU's rule), when a round sent almost nothing or
 * sent more than the one before plus the allowed growth (P.Haul's rules: pre-copy stopped gaining), or when
 * the round cap is reached.
 */
final class Convergence {

    /** Why pre-copy stops, for the record and the progress output. */
    enum Verdict {
        CONTINUE(""),
        NOTHING_TO_COPY("the strategy copies nothing ahead"),
        FITS_DOWNTIME("the rest fits the downtime target"),
        FEW_PAGES("a round sent almost nothing"),
        NOT_SHRINKING("rounds stopped shrinking"),
        ROUND_CAP("the round cap was reached");

        private final String reason;

        Verdict(String reason) {
            this.reason = reason;
        }

        String reason() {
            return reason;
        }
    }

    private final ConvergencePolicy policy;
    private RoundStats previous;

    Convergence(ConvergencePolicy policy) {
        this.policy = policy;
    }

    Verdict after(RoundStats round) {
        RoundStats before = previous;
        previous = round;
        if (round.pagesScanned() == 0) {
            return Verdict.NOTHING_TO_COPY;
        }
        if (round.round() > 1 && !round.predictedDowntime().isZero()
                && round.predictedDowntime().compareTo(policy.downtimeTarget()) <= 0) {
            return Verdict.FITS_DOWNTIME;
        }
        if (round.round() > 1 && round.pagesSent() <= policy.minPages()) {
            return Verdict.FEW_PAGES;
        }
        if (before != null && round.pagesSent() > before.pagesSent() * (1 + policy.maxGrowth())) {
            return Verdict.NOT_SHRINKING;
        }
        if (policy.maxRounds() > 0 && round.round() >= policy.maxRounds()) {
            return Verdict.ROUND_CAP;
        }
        return Verdict.CONTINUE;
    }
}
