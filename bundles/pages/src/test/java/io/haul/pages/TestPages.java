package io.haul.pages;

import java.util.SplittableRandom;

/** Synthetic pages for tests and the benchmark, each distinct by its number. */
final class TestPages {

    static final int PAGE = PageHasher.PAGE_SIZE;

    private TestPages() {
    }

    /** Incompressible: random bytes. */
    static void random(long number, byte[] into, int off) {
        SplittableRandom random = new SplittableRandom(number * 0x9E3779B97F4A7C15L + 1);
        for (int i = 0; i < PAGE; i += 8) {
            Bytes.putLong(into, off + i, random.nextLong());
        }
        Bytes.putLong(into, off, number);
    }

    /**
     * Like a process's heap: 8-byte words that are mostly small integers, pointers into a few regions, runs of
     * zeros and bits of text, with some noise (compresses to roughly a third with LZ4).
     */
    static void typical(long number, byte[] into, int off) {
        SplittableRandom random = new SplittableRandom(number * 0xC2B2AE3D27D4EB4FL + 7);
        long base = 0x00007f3a_00000000L + (random.nextInt(8) << 24);
        for (int i = 0; i < PAGE; i += 8) {
            int kind = random.nextInt(16);
            long word;
            if (kind < 5) {
                word = 0;
            } else if (kind < 9) {
                word = base + (random.nextInt(1 << 12) << 4);
            } else if (kind < 12) {
                word = random.nextInt(256);
            } else if (kind < 14) {
                word = 0x2065687420666f20L; // " of the "
            } else {
                word = random.nextLong();
            }
            Bytes.putLong(into, off + i, word);
        }
        Bytes.putLong(into, off, number);
    }

    /** Highly compressible: a short pattern repeated, numbered. */
    static void compressible(long number, byte[] into, int off) {
        for (int i = 0; i < PAGE; i++) {
            into[off + i] = (byte) ("abcdefgh".charAt(i % 8) + (i / 512));
        }
        Bytes.putLong(into, off, number);
    }

    static byte[] page(long number, String kind) {
        byte[] page = new byte[PAGE];
        switch (kind) {
            case "random" -> random(number, page, 0);
            case "typical" -> typical(number, page, 0);
            case "compressible" -> compressible(number, page, 0);
            case "zero" -> { }
            default -> throw new IllegalArgumentException(kind);
        }
        return page;
    }
}
