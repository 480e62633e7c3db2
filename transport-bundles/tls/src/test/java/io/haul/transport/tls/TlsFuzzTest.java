package io.haul.transport.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haul.fuzz.FuzzAssertions;
import io.haul.fuzz.Outcome;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** A short fuzz run of the TLS transport's control framing; {@code ./haul fuzz} runs a million inputs. */
class TlsFuzzTest {

    @Test
    void noStreamBreaksTheControlChannelsBounds() {
        FuzzAssertions.assertBoundsHold(TlsFuzzTargets.CONTROL_FRAMES, 2000);
    }

    @Test
    void aHeaderClaimingFourMegabytesCostsNothingBeforeTheyCome() {
        byte[] stream = ByteBuffer.allocate(5).put((byte) 0).putInt(4 * 1024 * 1024).array(); // lead 0: no ack awaited
        var verdict = FuzzAssertions.assertWithinBounds(TlsFuzzTargets.CONTROL_FRAMES, stream);
        assertEquals(Outcome.DECODED, verdict.outcome());
    }
}
