package io.haul.protocol;

import io.haul.fuzz.FuzzAssertions;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** A short fuzz run of each protocol decoder; {@code ./haul fuzz} runs a million inputs each. */
class ProtocolFuzzTest {

    @Property(tries = 3000)
    void noFrameBreaksTheEnvelopeDecodersBounds(@ForAll("frames") byte[] frame) {
        FuzzAssertions.assertWithinBounds(ProtocolFuzzTargets.ENVELOPE, frame);
    }

    @Property(tries = 3000)
    void noFirstFrameBreaksTheHandshakesBounds(@ForAll("handshakes") byte[] frame) {
        FuzzAssertions.assertWithinBounds(ProtocolFuzzTargets.HANDSHAKE, frame);
    }

    @Property(tries = 1500)
    void noBulkStreamBreaksTheImageReceiversBounds(@ForAll("imageStreams") byte[] stream) {
        FuzzAssertions.assertWithinBounds(ProtocolFuzzTargets.IMAGE_STREAM, stream);
    }

    @Provide
    Arbitrary<byte[]> frames() {
        return ProtocolFuzzTargets.ENVELOPE.inputs();
    }

    @Provide
    Arbitrary<byte[]> handshakes() {
        return ProtocolFuzzTargets.HANDSHAKE.inputs();
    }

    @Provide
    Arbitrary<byte[]> imageStreams() {
        return ProtocolFuzzTargets.IMAGE_STREAM.inputs();
    }
}
