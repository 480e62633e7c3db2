package io.haul.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GeneratorTest {

    @Test
    void theSameSeedMakesTheSameValues() {
        Generator<byte[]> inputs = FuzzInputs.around(random -> "HAUL a valid encoding".getBytes(), 256);
        List<byte[]> first = inputs.stream(new Random(42)).limit(500).toList();
        List<byte[]> again = inputs.stream(new Random(42)).limit(500).toList();
        List<byte[]> other = inputs.stream(new Random(43)).limit(500).toList();
        for (int i = 0; i < first.size(); i++) {
            assertTrue(Arrays.equals(first.get(i), again.get(i)), "input " + i + " differs for the same seed");
        }
        assertTrue(java.util.stream.IntStream.range(0, 500).anyMatch(i -> !Arrays.equals(first.get(i), other.get(i))),
                "another seed, other inputs");
    }

    @Test
    void ofAndOneOfChooseEveryChoice() {
        Random random = new Random(1);
        Set<Object> seen = new HashSet<>();
        Generator<Object> choice = Generator.oneOf(Generator.of("a", "b"), random2 -> 7, Generator.of(List.of()));
        for (int i = 0; i < 200; i++) {
            seen.add(choice.next(random));
        }
        assertEquals(Set.of("a", "b", 7, List.of()), seen);
    }

    @Test
    void listsTakeEverySizeFromTheLeastToTheMost() {
        Random random = new Random(2);
        Set<Integer> sizes = new HashSet<>();
        Generator<List<String>> lists = Generator.listOf(Generator.of("x"), 1, 4);
        for (int i = 0; i < 200; i++) {
            sizes.add(lists.next(random).size());
        }
        assertEquals(Set.of(1, 2, 3, 4), sizes);
    }

    @Test
    void textsHoldPrintableAsciiAndNowAndThenAnyUtf16Unit() {
        Random random = new Random(3);
        boolean beyondAscii = false;
        for (int i = 0; i < 500; i++) {
            String text = Texts.any(random, 40);
            assertTrue(text.length() <= 40, text);
            beyondAscii |= text.chars().anyMatch(c -> c < ' ' || c > '~');
        }
        assertTrue(beyondAscii, "no unit beyond printable ASCII in 500 texts");
        String fromAlphabet = Texts.from(random, "ab", 3, 5);
        assertTrue(fromAlphabet.matches("[ab]{3,5}"), fromAlphabet);
    }
}
