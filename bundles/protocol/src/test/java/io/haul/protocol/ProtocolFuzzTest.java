package io.haul.protocol;

import io.haul.fuzz.FuzzAssertions;
import org.junit.jupiter.api.Test;

/** A short fuzz run of each protocol decoder; {@code ./haul fuzz} runs a million inputs each. */
class ProtocolFuzzTest {

    @Test
    void noFrameBreaksTheEnvelopeDecodersBounds() {
        FuzzAssertions.assertBoundsHold(ProtocolFuzzTargets.ENVELOPE, 3000);
    }

    @Test
    void noFirstFrameBreaksTheHandshakesBounds() {
        FuzzAssertions.assertBoundsHold(ProtocolFuzzTargets.HANDSHAKE, 3000);
    }

    @Test
    void noBulkStreamBreaksTheImageReceiversBounds() {
        FuzzAssertions.assertBoundsHold(ProtocolFuzzTargets.IMAGE_STREAM, 1500);
    }
}
