package io.haul.fuzz;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The seed of a run's {@link java.util.Random}: new each run, so that runs together cover more inputs, unless
 * {@value #PROPERTY} names one, so that a run that broke a bound is repeated input for input. A failure names
 * its seed and how to repeat it.
 */
public final class FuzzSeed {

    /** The system property that fixes the seed: {@code mvn test -Dhaul.fuzz.seed=S}. */
    public static final String PROPERTY = "haul.fuzz.seed";

    private FuzzSeed() {
    }

    /** The seed named by {@value #PROPERTY}, else a new one. */
    public static long pick() {
        String fixed = System.getProperty(PROPERTY);
        if (fixed == null || fixed.isBlank()) {
            return ThreadLocalRandom.current().nextLong();
        }
        try {
            return Long.parseLong(fixed.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PROPERTY + " is not a number: " + fixed, e);
        }
    }

    /** The line a failure ends with: the seed, and the option that repeats the run. */
    public static String toRepeat(long seed) {
        return "seed " + seed + " (repeat the run with -D" + PROPERTY + "=" + seed + ")";
    }
}
