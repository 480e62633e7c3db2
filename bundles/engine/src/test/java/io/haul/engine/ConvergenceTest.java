package io.haul.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haul.api.migration.ConvergencePolicy;
import io.haul.api.strategy.RoundStats;
import io.haul.engine.Convergence.Verdict;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Each rule of the convergence policy, on synthetic rounds. */
class ConvergenceTest {

    private static final ConvergencePolicy POLICY = new ConvergencePolicy(Duration.ofMillis(300), 5, 64, 0.10);

    @Test
    void aStrategyThatScansNothingMeansStopAndCopy() {
        assertEquals(Verdict.NOTHING_TO_COPY, new Convergence(POLICY).after(round(1, 0, 0, 0)));
    }

    @Test
    void freezesWhenTheRestFitsTheDowntimeTarget() {
        Convergence convergence = new Convergence(POLICY);
        assertEquals(Verdict.CONTINUE, convergence.after(round(1, 262_144, 262_144, 9_000)));
        assertEquals(Verdict.FITS_DOWNTIME, convergence.after(round(2, 262_144, 2_000, 250)));
    }

    @Test
    void theFirstRoundNeverFreezesOnItsPrediction() {
        // round 1 copies everything: its prediction is about the next round, which has not run yet
        assertEquals(Verdict.CONTINUE, new Convergence(POLICY).after(round(1, 262_144, 262_144, 100)));
    }

    @Test
    void freezesWhenARoundSentAlmostNothing() {
        Convergence convergence = new Convergence(POLICY);
        convergence.after(round(1, 262_144, 262_144, 9_000));
        assertEquals(Verdict.FEW_PAGES, convergence.after(round(2, 262_144, 60, 0)));
    }

    @Test
    void freezesWhenRoundsStopShrinking() {
        Convergence convergence = new Convergence(POLICY);
        convergence.after(round(1, 262_144, 262_144, 9_000));
        assertEquals(Verdict.CONTINUE, convergence.after(round(2, 262_144, 20_000, 900)));
        assertEquals(Verdict.NOT_SHRINKING, convergence.after(round(3, 262_144, 23_000, 1_000)));
    }

    @Test
    void stopsAtTheRoundCap() {
        Convergence convergence = new Convergence(POLICY);
        Verdict verdict = Verdict.CONTINUE;
        int rounds = 0;
        long sent = 200_000;
        while (verdict == Verdict.CONTINUE) {
            rounds++;
            sent = sent * 9 / 10; // shrinking, but never enough
            verdict = convergence.after(round(rounds, 262_144, sent, 5_000));
        }
        assertEquals(Verdict.ROUND_CAP, verdict);
        assertEquals(5, rounds);
    }

    private static RoundStats round(int n, long scanned, long sent, long predictedMillis) {
        return new RoundStats(n, scanned, sent, sent, sent * 4096, Duration.ofMillis(500), sent / 0.5,
                Duration.ofMillis(predictedMillis));
    }
}
