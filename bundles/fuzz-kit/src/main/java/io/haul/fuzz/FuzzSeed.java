package io.haul.fuzz;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The seed of a run's {@link java.util.Random}. The test suite's is {@link #SUITE} unless {@value #PROPERTY} names
 * one: the suite decides whether a change lands, so it draws the same inputs on every run and machine. A fuzzing
 * campaign ({@code ./haul fuzz}) takes a new one each run, so that runs together cover more inputs. A failure
 * names its seed and how to repeat it input for input.
 */
public final class FuzzSeed {

    /** The system property that fixes the seed: {@code mvn test -Dhaul.fuzz.seed=S}. */
    public static final String PROPERTY = "haul.fuzz.seed";

    /** The test suite's seed when none is named. */
    public static final long SUITE = 20261203L;

    private FuzzSeed() {
    }

    /** The seed named by {@value #PROPERTY}, else a new one: for campaigns. */
    public static long pick() {
        return named().orElseGet(() -> ThreadLocalRandom.current().nextLong());
    }

    /** The seed named by {@value #PROPERTY}, else {@link #SUITE}: for tests. */
    public static long forSuite() {
        return named().orElse(SUITE);
    }

    private static java.util.Optional<Long> named() {
        String fixed = System.getProperty(PROPERTY);
        if (fixed == null || fixed.isBlank()) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(Long.parseLong(fixed.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PROPERTY + " is not a number: " + fixed, e);
        }
    }

    /** The line a failure ends with: the seed, and the option that repeats the run. */
    public static String toRepeat(long seed) {
        return "seed " + seed + " (repeat the run with -D" + PROPERTY + "=" + seed + ")";
    }
}
