package io.haul.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.protocol.v1.Abort;
import io.haul.protocol.v1.Envelope;
import io.haul.protocol.v1.Hello;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FramesTest {

    @Test
    void aHelloRoundTrips() throws ProtocolException {
        Envelope hello = Envelope.newBuilder().setVersion(1).setMigrationId("m1")
                .setHello(Hello.newBuilder().setAgent("a").setMinVersion(1).setMaxVersion(1)).build();
        assertEquals(hello, Frames.decode(Frames.encode(hello)));
    }

    @Test
    void randomBytesAreRefusedAsMalformed() {
        byte[] garbage = new byte[300];
        new Random(3).nextBytes(garbage);
        ProtocolException e = assertThrows(ProtocolException.class, () -> Frames.decode(garbage));
        assertTrue(e.code().startsWith("protocol."), e.code());
    }

    @Test
    void anUnknownVersionIsNamed() {
        byte[] frame = Envelope.newBuilder().setVersion(7).setCommit(io.haul.protocol.v1.Commit.getDefaultInstance())
                .build().toByteArray();
        ProtocolException e = assertThrows(ProtocolException.class, () -> Frames.decode(frame));
        assertEquals("protocol.version", e.code());
        assertTrue(e.getMessage().contains("version 7"), e.getMessage());
    }

    @Test
    void versionsAreNegotiatedToTheHighestBothSpeak() throws ProtocolException {
        assertEquals(3, Versions.negotiate(1, 5));
        assertEquals(2, Versions.negotiate(1, 2), "an agent that speaks up to version 2 is still served");
        assertEquals(1, Versions.negotiate(1, 1), "an agent that speaks only version 1 is still served");
        ProtocolException e = assertThrows(ProtocolException.class, () -> Versions.negotiate(4, 5));
        assertTrue(e.getMessage().contains("4 to 5"), e.getMessage());
    }

    @Test
    void aNewerAgentsHelloIsNegotiatedDownToOurs() throws ProtocolException {
        // a newer source stamps its Hello with its own latest version, one past ours, and offers 1 to that
        int newer = Versions.MAX + 1;
        byte[] hello = Envelope.newBuilder().setVersion(newer).setMigrationId("m1")
                .setHello(Hello.newBuilder().setAgent("newer").setMinVersion(1).setMaxVersion(newer)).build().toByteArray();
        Envelope decoded = Frames.decode(hello);
        assertEquals(Versions.MAX, Versions.negotiate(decoded.getHello().getMinVersion(), decoded.getHello().getMaxVersion()));
    }

    @Test
    void versionsAreUnsigned() throws ProtocolException {
        // uint32 on the wire: 4294967295 arrives as -1, and must not pass for a version below ours
        ProtocolException empty = assertThrows(ProtocolException.class, () -> Versions.negotiate(-1, 1));
        assertTrue(empty.getMessage().contains("versions 4294967295 to 1"), empty.getMessage());
        assertThrows(ProtocolException.class, () -> Versions.negotiate(-1, Integer.MAX_VALUE));
        assertEquals(Versions.MAX, Versions.negotiate(1, -1), "a peer of versions 1 to 4294967295 speaks ours");
        assertEquals(Versions.MAX, Versions.negotiate(Versions.MAX, Integer.MIN_VALUE));

        byte[] frame = Envelope.newBuilder().setVersion(-1).setCommit(io.haul.protocol.v1.Commit.getDefaultInstance())
                .build().toByteArray();
        ProtocolException far = assertThrows(ProtocolException.class, () -> Frames.decode(frame));
        assertTrue(far.getMessage().contains("version 4294967295 arrived"), far.getMessage());
    }

    @Test
    void anAbortInPlaceOfTheExpectedMessageSaysWhy() {
        Envelope abort = Envelope.newBuilder().setVersion(1)
                .setAbort(Abort.newBuilder().setCode("restore.failed").setMessage("criu restore failed")).build();
        ProtocolException e = assertThrows(ProtocolException.class, () -> Frames.expect(abort, Envelope.BodyCase.RESTORED));
        assertEquals("restore.failed", e.code());
        assertTrue(e.getMessage().contains("criu restore failed"));
    }
}
