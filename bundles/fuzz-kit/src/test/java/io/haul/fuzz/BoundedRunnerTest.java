package io.haul.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class BoundedRunnerTest {

    private static final AllocationBound ONE_MIB = new AllocationBound(1 << 20, 0);
    private static volatile boolean spinning = true;
    private static volatile Object kept;

    @Test
    void aDecodeThatReturnsIsDecodedAndCostsLittle() {
        Verdict verdict = run(input -> kept = input.clone());
        assertEquals(Outcome.DECODED, verdict.outcome());
        assertTrue(verdict.allocatedBytes() < 4096, verdict.allocatedBytes() + " bytes for a 16-byte clone");
        assertFalse(verdict.breaksBounds());
    }

    @Test
    void aDocumentedErrorIsARefusalAnyOtherIsACrash() {
        assertEquals(Outcome.REFUSED, run(input -> {
            throw new EOFException("short");
        }).outcome());
        Verdict crash = run(input -> {
            throw new IllegalStateException("a bug");
        });
        assertEquals(Outcome.CRASHED, crash.outcome());
        assertTrue(crash.breaksBounds());
        assertTrue(crash.describe("t").contains("IllegalStateException: a bug"), crash.describe("t"));
    }

    @Test
    void anOutOfMemoryErrorIsACrashToo() {
        assertEquals(Outcome.CRASHED, run(input -> {
            throw new OutOfMemoryError("Java heap space");
        }).outcome());
    }

    @Test
    void theDecodersOwnAllocationIsMeasuredAgainstItsBound() {
        Verdict verdict = run(input -> kept = new byte[8 << 20]);
        assertTrue(verdict.allocatedBytes() >= 8 << 20, verdict.allocatedBytes() + " bytes measured");
        assertTrue(verdict.overAllocated());
        assertTrue(verdict.breaksBounds());
        assertTrue(verdict.describe("t").contains("over its limit of 1.00 MiB"), verdict.describe("t"));
    }

    @Test
    void whatTheSetupAllocatesDoesNotCount() {
        FuzzTarget target = target(() -> {
            byte[] store = new byte[8 << 20];
            return input -> kept = store;
        });
        try (BoundedRunner runner = new BoundedRunner(target, Duration.ofSeconds(2))) {
            assertFalse(runner.run(new byte[16]).overAllocated());
        }
    }

    @Test
    void aOneTimeCostIsNotTakenForWhatTheInputCosts() {
        boolean[] initialized = {false};
        FuzzTarget target = target(DecoderSetup.stateless(input -> {
            if (!initialized[0]) { // as a static initializer or the first call of a native function would
                initialized[0] = true;
                kept = new byte[512 * 1024];
            }
        }));
        try (BoundedRunner runner = new BoundedRunner(target, Duration.ofSeconds(2), 0)) {
            Verdict first = runner.run(new byte[16]);
            assertTrue(first.allocatedBytes() < 64 * 1024, first.allocatedBytes() + " bytes counted for the first input");
        }
    }

    @Test
    void aDecodeOverTheTimeLimitIsAHang() {
        try (BoundedRunner runner = new BoundedRunner(target(DecoderSetup.stateless(input -> Thread.sleep(150))),
                Duration.ofMillis(100), 0)) {
            List<Verdict> verdicts = new ArrayList<>();
            assertTrue(runner.run(Stream.generate(() -> new byte[1]).iterator(), 2, verdicts::add));
            assertEquals(List.of(Outcome.HUNG, Outcome.HUNG), verdicts.stream().map(Verdict::outcome).toList());
        }
    }

    @Test
    void aDecodeThatNeverReturnsIsAbandonedAndEndsTheRun() {
        spinning = true;
        try (BoundedRunner runner = new BoundedRunner(target(DecoderSetup.stateless(input -> {
            while (spinning) {
                Thread.onSpinWait(); // deaf to interrupts, as a decoder stuck in a loop is
            }
        })), Duration.ofMillis(100), 0)) {
            List<Verdict> verdicts = new ArrayList<>();
            long started = System.nanoTime();
            assertFalse(runner.run(Stream.generate(() -> new byte[] {42}).iterator(), 5, verdicts::add));
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(2).toNanos(), "the watchdog gave up in time");
            assertEquals(1, verdicts.size());
            assertEquals(Outcome.HUNG, verdicts.getFirst().outcome());
            assertEquals(42, verdicts.getFirst().input()[0]);
            assertNull(verdicts.getFirst().thrown());
        } finally {
            spinning = false;
        }
    }

    @Test
    void theWarmUpRunsTheTargetsOwnInputsAndAHangThereIsReportedToo() {
        spinning = true;
        try (BoundedRunner runner = new BoundedRunner(target(DecoderSetup.stateless(input -> {
            while (spinning && input.length == 0) { // the target's generated inputs are empty
                Thread.onSpinWait();
            }
        })), Duration.ofMillis(100))) {
            Verdict verdict = runner.run(new byte[] {1});
            assertEquals(Outcome.HUNG, verdict.outcome());
            assertEquals(0, verdict.input().length, "the generated input that hung");
        } finally {
            spinning = false;
        }
    }

    @Test
    void aFailingAssertionNamesTheTargetAndTheInput() {
        FuzzTarget target = target(DecoderSetup.stateless(input -> {
            throw new NullPointerException("no name");
        }));
        AssertionError e = assertThrows(AssertionError.class,
                () -> FuzzAssertions.assertWithinBounds(target, new byte[] {(byte) 0xCA, (byte) 0xFE}));
        assertTrue(e.getMessage().startsWith("test: crashed with java.lang.NullPointerException: no name"), e.getMessage());
        assertTrue(e.getMessage().contains("input (2 bytes): cafe"), e.getMessage());
    }

    private static Verdict run(Decoding decoding) {
        try (BoundedRunner runner = new BoundedRunner(target(DecoderSetup.stateless(decoding)), Duration.ofSeconds(2))) {
            return runner.run(new byte[16]);
        }
    }

    private static FuzzTarget target(DecoderSetup setup) {
        return new FuzzTarget("test", random -> new byte[0], setup, TypedErrors.of(EOFException.class), ONE_MIB);
    }
}
