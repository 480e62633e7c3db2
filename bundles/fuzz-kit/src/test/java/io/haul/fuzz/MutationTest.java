package io.haul.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MutationTest {

    private static final byte[] VALID = "HAUL a valid encoding of some length, long enough to mutate".getBytes();

    @Test
    void everyMutationChangesTheBytesAndLeavesTheOriginalAlone() {
        byte[] original = VALID.clone();
        Random random = new Random(7);
        for (Mutation mutation : Mutation.values()) {
            int changed = 0;
            for (int i = 0; i < 50; i++) {
                changed += Arrays.equals(mutation.apply(VALID, random), VALID) ? 0 : 1;
            }
            assertTrue(changed >= 40, mutation + " changed only " + changed + " of 50");
        }
        assertTrue(Arrays.equals(original, VALID));
    }

    @Test
    void truncationShortensAndEdgeIntsWriteTheLengthsThatBreakArithmetic() {
        Random random = new Random(1);
        for (int i = 0; i < 100; i++) {
            assertTrue(Mutation.TRUNCATE.apply(VALID, random).length < VALID.length);
        }
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            byte[] mutated = Mutation.EDGE_INT.apply(VALID, random);
            seen.add(java.nio.ByteBuffer.wrap(mutated).getInt(0)); // at the start, where a length prefix goes
        }
        assertTrue(seen.containsAll(List.of(-1, Integer.MAX_VALUE, Integer.MIN_VALUE, (4 << 20) + 1)), seen.toString());
    }

    @Test
    void theMixHoldsRandomValidAndMutatedInputs() {
        byte[] valid = new byte[60];
        Arrays.fill(valid, (byte) 'A');
        List<byte[]> inputs = FuzzInputs.around(random -> valid, 64).stream(new Random(5)).limit(2000).toList();
        long unchanged = inputs.stream().filter(input -> Arrays.equals(input, valid)).count();
        long mutated = inputs.stream().filter(input -> !Arrays.equals(input, valid) && mostlyA(input)).count();
        assertTrue(unchanged > 250 && unchanged < 600, unchanged + " valid of 2000 (expected about 400)");
        assertTrue(mutated > 1200 && mutated < 1600, mutated + " mutated of 2000 (expected about 1400)");
        assertFalse(inputs.stream().anyMatch(input -> input.length > valid.length * 6), "mutations stay near the original size");
    }

    @Test
    void randomLengthsSpreadOverTheWholeRange() {
        Random random = new Random(3);
        int[] counts = new int[3];
        for (int i = 0; i < 10_000; i++) {
            int length = FuzzInputs.logScaleLength(random, 65536);
            assertTrue(length >= 0 && length <= 65536);
            counts[length < 256 ? 0 : length < 8192 ? 1 : 2]++;
        }
        assertTrue(counts[0] > 3000 && counts[1] > 2000 && counts[2] > 1000, Arrays.toString(counts));
    }

    /** A mutation of 60 'A's keeps most of them; random bytes have one 'A' in 256. */
    private static boolean mostlyA(byte[] input) {
        int a = 0;
        for (byte b : input) {
            a += b == 'A' ? 1 : 0;
        }
        return input.length > 0 && a * 2 > input.length;
    }
}
