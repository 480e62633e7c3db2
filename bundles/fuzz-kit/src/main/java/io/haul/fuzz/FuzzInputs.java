package io.haul.fuzz;

import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * The inputs a decoder is fuzzed with: random bytes, which test its first checks (magic numbers, the framing),
 * and valid encodings as they are and with one to four {@link Mutation}s, which reach the paths behind them.
 * The bulk is made with {@link Arbitraries#randomValue} (a million inputs a decoder must come quickly); the
 * valid encodings are the modules' own generators of their messages.
 */
public final class FuzzInputs {

    private FuzzInputs() {
    }

    /** Up to {@code maxLength} random bytes, short ones the most often (lengths spread on a log scale). */
    public static Arbitrary<byte[]> randomBytes(int maxLength) {
        return Arbitraries.randomValue(random -> {
            byte[] bytes = new byte[logScaleLength(random, maxLength)];
            random.nextBytes(bytes);
            return bytes;
        });
    }

    /** Each of {@code valid}'s encodings with one to four mutations. */
    public static Arbitrary<byte[]> mutated(Arbitrary<byte[]> valid) {
        return Combinators.combine(valid, Arbitraries.longs()).as((bytes, seed) -> {
            Random random = new Random(seed);
            return Mutation.applySome(bytes, 1 + random.nextInt(4), random);
        });
    }

    /**
     * The mix a decoder gets: one in ten random bytes (up to {@code maxRandomLength}), two in ten valid
     * encodings, seven in ten mutated ones.
     */
    public static Arbitrary<byte[]> around(Arbitrary<byte[]> valid, int maxRandomLength) {
        return Arbitraries.frequencyOf(
                Tuple.of(1, randomBytes(maxRandomLength)),
                Tuple.of(2, valid),
                Tuple.of(7, mutated(valid)));
    }

    static int logScaleLength(Random random, int maxLength) {
        return (int) Math.min(maxLength, Math.exp(random.nextDouble() * Math.log(maxLength + 1.0)) - 1);
    }
}
