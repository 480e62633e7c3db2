package io.haul.fuzz;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** For the modules' property tests: one input through a target's {@link BoundedRunner}, failing on a broken bound. */
public final class FuzzAssertions {

    /** Far above any decode here (microseconds to a few milliseconds), and far below a test run's patience. */
    public static final Duration TIME_LIMIT = Duration.ofSeconds(2);

    private static final Map<FuzzTarget, BoundedRunner> RUNNERS = new ConcurrentHashMap<>();

    private FuzzAssertions() {
    }

    /** Decodes {@code input} with the target's decoder; an AssertionError when it crashed, hung or over-allocated. */
    public static Verdict assertWithinBounds(FuzzTarget target, byte[] input) {
        Verdict verdict = RUNNERS.computeIfAbsent(target, t -> new BoundedRunner(t, TIME_LIMIT)).run(input);
        if (verdict.breaksBounds()) {
            throw new AssertionError(verdict.describe(target.name()), verdict.thrown());
        }
        return verdict;
    }
}
