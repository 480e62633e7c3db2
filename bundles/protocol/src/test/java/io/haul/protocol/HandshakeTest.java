package io.haul.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.haul.protocol.v1.Envelope;
import io.haul.protocol.v1.Hello;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The version choice of the handshake, over every range a peer may offer and every version its frame carries. */
class HandshakeTest {

    @Property(tries = 1000)
    void aHelloGetsTheHighestVersionBothSpeakOrARefusal(@ForAll("hellos") Envelope hello) throws ProtocolException {
        long min = Integer.toUnsignedLong(hello.getHello().getMinVersion());
        long max = Integer.toUnsignedLong(hello.getHello().getMaxVersion());
        byte[] frame = hello.toByteArray();
        if (min <= max && min <= Versions.MAX && max >= Versions.MIN) {
            assertEquals(Math.min(Versions.MAX, max), ProtocolFuzzTargets.negotiate(frame));
        } else {
            assertEquals("protocol.version",
                    assertThrows(ProtocolException.class, () -> ProtocolFuzzTargets.negotiate(frame)).code());
        }
    }

    @Provide
    Arbitrary<Envelope> hellos() {
        return net.jqwik.api.Combinators.combine(EnvelopeGenerators.hellos(), EnvelopeGenerators.versions())
                .as((Hello hello, Integer version) -> Envelope.newBuilder().setVersion(version).setHello(hello).build());
    }
}
