package io.haul.fuzz;

import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * For the modules' fuzz tests: a target's decoder run on inputs through its {@link BoundedRunner}, failing on a
 * broken bound.
 */
public final class FuzzAssertions {

    /** Far above any decode here (microseconds to a few milliseconds), and far below a test run's patience. */
    public static final Duration TIME_LIMIT = Duration.ofSeconds(2);

    private static final Map<FuzzTarget, BoundedRunner> RUNNERS = new ConcurrentHashMap<>();

    private FuzzAssertions() {
    }

    /**
     * Decodes {@code count} of the target's generated inputs, drawn from a {@link Random} seeded by
     * {@link FuzzSeed#forSuite}; an AssertionError when one crashed, hung or over-allocated, which names the first
     * such input, how many broke a bound, and the seed that makes the same inputs again.
     */
    public static void assertBoundsHold(FuzzTarget target, int count) {
        long seed = FuzzSeed.forSuite();
        AtomicReference<Verdict> first = new AtomicReference<>();
        AtomicLong judged = new AtomicLong();
        AtomicLong broken = new AtomicLong();
        boolean finished = runner(target).run(target.inputs().stream(new Random(seed)).iterator(), count, verdict -> {
            judged.incrementAndGet();
            if (verdict.breaksBounds()) {
                broken.incrementAndGet();
                first.compareAndSet(null, verdict);
            }
        });
        if (first.get() != null) {
            throw new AssertionError(first.get().describe(target.name()) + "\n  " + broken.get() + " of "
                    + judged.get() + " inputs broke a bound"
                    + (finished ? "" : ", and the run stopped at a decode that never returned")
                    + "; " + FuzzSeed.toRepeat(seed), first.get().thrown());
        }
    }

    /** Decodes {@code input} with the target's decoder; an AssertionError when it crashed, hung or over-allocated. */
    public static Verdict assertWithinBounds(FuzzTarget target, byte[] input) {
        Verdict verdict = runner(target).run(input);
        if (verdict.breaksBounds()) {
            throw new AssertionError(verdict.describe(target.name()), verdict.thrown());
        }
        return verdict;
    }

    private static BoundedRunner runner(FuzzTarget target) {
        return RUNNERS.computeIfAbsent(target, t -> new BoundedRunner(t, TIME_LIMIT));
    }
}
