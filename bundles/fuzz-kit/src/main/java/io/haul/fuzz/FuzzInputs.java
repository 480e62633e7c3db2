package io.haul.fuzz;

import java.util.Random;

/**
 * The inputs a decoder is fuzzed with: random bytes, which test its first checks (magic numbers, the framing),
 * and valid encodings as they are and with one to four {@link Mutation}s, which reach the paths behind them.
 * The valid encodings are the modules' own generators of their messages.
 */
public final class FuzzInputs {

    private FuzzInputs() {
    }

    /** Up to {@code maxLength} random bytes, short ones the most often (lengths spread on a log scale). */
    public static Generator<byte[]> randomBytes(int maxLength) {
        return random -> {
            byte[] bytes = new byte[logScaleLength(random, maxLength)];
            random.nextBytes(bytes);
            return bytes;
        };
    }

    /** Each of {@code valid}'s encodings with one to four mutations. */
    public static Generator<byte[]> mutated(Generator<byte[]> valid) {
        return random -> Mutation.applySome(valid.next(random), 1 + random.nextInt(4), random);
    }

    /**
     * The mix a decoder gets: one in ten random bytes (up to {@code maxRandomLength}), two in ten valid
     * encodings, seven in ten mutated ones.
     */
    public static Generator<byte[]> around(Generator<byte[]> valid, int maxRandomLength) {
        Generator<byte[]> randomBytes = randomBytes(maxRandomLength);
        Generator<byte[]> mutated = mutated(valid);
        return random -> {
            int share = random.nextInt(10);
            return share < 1 ? randomBytes.next(random) : share < 3 ? valid.next(random) : mutated.next(random);
        };
    }

    static int logScaleLength(Random random, int maxLength) {
        return (int) Math.min(maxLength, Math.exp(random.nextDouble() * Math.log(maxLength + 1.0)) - 1);
    }
}
