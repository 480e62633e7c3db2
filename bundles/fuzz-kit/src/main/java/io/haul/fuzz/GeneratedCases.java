package io.haul.fuzz;

import java.util.Random;

/**
 * A property checked on generated cases, for what is no decoder of bytes (the version a handshake picks, the
 * length a frame claims): {@code count} cases from a {@link Random} seeded by {@link FuzzSeed#forSuite}, and on the
 * first that fails an AssertionError naming the case, its number and the seed that makes it again.
 */
public final class GeneratedCases {

    /** What a case must satisfy; an AssertionError or any exception is a failure. */
    @FunctionalInterface
    public interface Check<T> {
        void check(T value) throws Exception;
    }

    private GeneratedCases() {
    }

    public static <T> void check(int count, Generator<? extends T> cases, Check<? super T> property) {
        long seed = FuzzSeed.forSuite();
        Random random = new Random(seed);
        for (int i = 1; i <= count; i++) {
            T value = cases.next(random);
            try {
                property.check(value);
            } catch (Exception | AssertionError e) {
                throw new AssertionError("case " + i + " of " + count + " failed: " + value + "\n  " + e
                        + "\n  " + FuzzSeed.toRepeat(seed), e);
            }
        }
    }
}
