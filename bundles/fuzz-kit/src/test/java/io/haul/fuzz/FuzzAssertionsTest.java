package io.haul.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FuzzAssertionsTest {

    private static final AllocationBound ONE_MIB = new AllocationBound(1 << 20, 0);

    @AfterEach
    void noFixedSeed() {
        System.clearProperty(FuzzSeed.PROPERTY);
    }

    @Test
    void aRunWithinTheBoundsPassesAndDecodesTheCountAsked() {
        List<byte[]> decoded = new ArrayList<>();
        FuzzAssertions.assertBoundsHold(target(decoded::add), 250);
        // and the warm-up's, and those decoded twice for a new high of allocation
        assertTrue(decoded.size() >= BoundedRunner.WARM_UP_INPUTS + 250, decoded.size() + " decodes");
    }

    @Test
    void aBrokenBoundNamesTheInputHowManyBrokeItAndTheSeedThatRepeatsTheRun() {
        FuzzTarget target = target(input -> {
            if (input.length > 0 && input[0] == 7) {
                throw new IllegalStateException("a bug");
            }
        });
        AssertionError failure = assertThrows(AssertionError.class, () -> FuzzAssertions.assertBoundsHold(target, 2000));
        String message = failure.getMessage();
        assertTrue(message.startsWith("test: crashed with java.lang.IllegalStateException: a bug"), message);
        assertTrue(message.matches("(?s).*input \\(1 bytes\\): 07.*"), message);
        assertTrue(message.matches("(?s).*\\n  \\d+ of 2000 inputs broke a bound.*"), message);
        Matcher seed = Pattern.compile("seed (-?\\d+) \\(repeat the run with -Dhaul\\.fuzz\\.seed=\\1\\)").matcher(message);
        assertTrue(seed.find(), message);

        System.setProperty(FuzzSeed.PROPERTY, seed.group(1));
        AssertionError again = assertThrows(AssertionError.class, () -> FuzzAssertions.assertBoundsHold(target, 2000));
        assertEquals(withoutTrace(message), withoutTrace(again.getMessage()),
                "the seed makes the same inputs, so the same failure");
    }

    /** The bound broken, the input and the tally: the trace's frames differ with the runner's measuring. */
    private static List<String> withoutTrace(String message) {
        return message.lines().filter(line -> !line.startsWith("  \tat ")).toList();
    }

    @Test
    void aFixedSeedIsTakenAndABadOneRefused() {
        System.setProperty(FuzzSeed.PROPERTY, " 12345 ");
        assertEquals(12345, FuzzSeed.pick());
        assertEquals(12345, FuzzSeed.forSuite());
        System.setProperty(FuzzSeed.PROPERTY, "twelve");
        assertThrows(IllegalArgumentException.class, FuzzSeed::pick);
    }

    @Test
    void aFailingCaseIsNamedWithItsNumberAndSeed() {
        AssertionError failure = assertThrows(AssertionError.class,
                () -> GeneratedCases.check(100, random -> random.nextInt(10), value -> assertTrue(value < 9)));
        assertTrue(failure.getMessage().matches("(?s)case \\d+ of 100 failed: 9\\n.*seed -?\\d+ .*"), failure.getMessage());
        GeneratedCases.check(100, random -> random.nextInt(10), value -> assertTrue(value < 10));
    }

    /** One byte per input, 0 to 9, so that a few thousand inputs hold every value. */
    private static FuzzTarget target(Decoding decoding) {
        return new FuzzTarget("test", random -> new byte[] {(byte) random.nextInt(10)}, DecoderSetup.stateless(decoding),
                TypedErrors.of(EOFException.class), ONE_MIB);
    }
}
