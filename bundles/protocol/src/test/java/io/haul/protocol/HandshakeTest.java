package io.haul.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.haul.fuzz.GeneratedCases;
import io.haul.protocol.v1.Envelope;
import org.junit.jupiter.api.Test;

/** The version choice of the handshake, over every range a peer may offer and every version its frame carries. */
class HandshakeTest {

    @Test
    void aHelloGetsTheHighestVersionBothSpeakOrARefusal() {
        GeneratedCases.check(1000, random -> Envelope.newBuilder().setVersion(EnvelopeGenerators.version(random))
                .setHello(EnvelopeGenerators.hello(random)).build(), hello -> {
                    long min = Integer.toUnsignedLong(hello.getHello().getMinVersion());
                    long max = Integer.toUnsignedLong(hello.getHello().getMaxVersion());
                    byte[] frame = hello.toByteArray();
                    if (min <= max && min <= Versions.MAX && max >= Versions.MIN) {
                        assertEquals(Math.min(Versions.MAX, max), ProtocolFuzzTargets.negotiate(frame));
                    } else {
                        assertEquals("protocol.version",
                                assertThrows(ProtocolException.class, () -> ProtocolFuzzTargets.negotiate(frame)).code());
                    }
                });
    }
}
