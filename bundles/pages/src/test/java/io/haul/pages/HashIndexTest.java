package io.haul.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HashIndexTest {

    @Test
    void growsFarBeyondItsFirstSizeAndKeepsEveryEntry() {
        HashIndex index = new HashIndex(4);
        int n = 300_000;
        SplittableRandom random = new SplittableRandom(1);
        long[] his = new long[n];
        long[] los = new long[n];
        for (int i = 0; i < n; i++) {
            his[i] = random.nextLong();
            los[i] = random.nextLong();
            assertTrue(index.putIfAbsent(his[i], los[i], i + 1L));
        }
        assertEquals(n, index.size());
        for (int i = 0; i < n; i++) {
            assertEquals(i + 1L, index.get(his[i], los[i]));
            assertFalse(index.putIfAbsent(his[i], los[i], 7));
        }
        assertEquals(0, index.get(1, 2));
        assertEquals(n, index.size());
    }

    @Test
    void hashesSharingTheirLowBitsStillWork() {
        HashIndex index = new HashIndex(16);
        for (long i = 0; i < 10_000; i++) {
            assertTrue(index.putIfAbsent(i << 40, 0, -i - 1)); // negative values: spilled places
        }
        for (long i = 0; i < 10_000; i++) {
            assertEquals(-i - 1, index.get(i << 40, 0));
        }
        assertThrows(IllegalArgumentException.class, () -> index.putIfAbsent(1, 1, 0));
    }
}
