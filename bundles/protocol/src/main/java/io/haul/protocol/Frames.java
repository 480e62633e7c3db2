package io.haul.protocol;

import com.google.protobuf.InvalidProtocolBufferException;
import io.haul.protocol.v1.Envelope;

/** Control frames: one {@link Envelope} each, decoded into typed messages only, never into code. */
public final class Frames {

    private Frames() {
    }

    public static byte[] encode(Envelope envelope) {
        return envelope.toByteArray();
    }

    /**
     * Decodes a frame, refusing malformed bytes, frames without a message, and versions this agent lacks (but
     * for a Hello, whose offered versions are for the handshake to judge).
     */
    public static Envelope decode(byte[] frame) throws ProtocolException {
        Envelope envelope;
        try {
            envelope = Envelope.parseFrom(frame);
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException("protocol.malformed", "a frame of " + frame.length
                    + " bytes is not a Haul protocol message (" + e.getMessage() + ")", e);
        }
        if (envelope.getBodyCase() == Envelope.BodyCase.BODY_NOT_SET) {
            throw new ProtocolException("protocol.malformed", "a frame of " + frame.length
                    + " bytes carries no message this agent knows");
        }
        // a Hello counts for the versions it offers, not the one its sender stamped on it: a newer agent stamps
        // its own, and negotiation (Versions.negotiate) must still find the one both speak
        if (envelope.getBodyCase() != Envelope.BodyCase.HELLO
                && (envelope.getVersion() < Versions.MIN || envelope.getVersion() > Versions.MAX)) {
            throw new ProtocolException("protocol.version", "a frame of protocol version "
                    + Integer.toUnsignedString(envelope.getVersion())
                    + " arrived; this agent speaks " + Versions.MIN + " to " + Versions.MAX);
        }
        return envelope;
    }

    /** The message a frame must carry here, or a refusal that says what came instead. */
    public static Envelope expect(Envelope envelope, Envelope.BodyCase expected) throws ProtocolException {
        if (envelope.getBodyCase() == Envelope.BodyCase.ABORT) {
            throw new ProtocolException(envelope.getAbort().getCode().isEmpty() ? "peer.abort" : envelope.getAbort().getCode(),
                    "the peer aborted: " + envelope.getAbort().getMessage());
        }
        if (envelope.getBodyCase() == Envelope.BodyCase.ERROR) {
            throw new ProtocolException(envelope.getError().getCode().isEmpty() ? "peer.error" : envelope.getError().getCode(),
                    "the peer refused: " + envelope.getError().getMessage());
        }
        if (envelope.getBodyCase() != expected) {
            throw new ProtocolException("protocol.unexpected", "expected " + expected + " but the peer sent "
                    + envelope.getBodyCase());
        }
        return envelope;
    }
}
