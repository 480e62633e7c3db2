package io.haul.transport.tls;

import io.vertx.core.buffer.Buffer;

/**
 * The bytes this transport puts on the wire around the payloads.
 * <ul>
 *   <li>After the TLS handshake the client sends a preamble on each of its two TLS connections:
 *       {@code "HAUL"}, version 1, kind ({@code 'C'} control, {@code 'B'} bulk), and a random 16-byte token
 *       that pairs the two. When both arrived the server answers {@code "HAUL"}, 1, {@code 'K'} on the
 *       control connection: only then is the connection made on both sides.</li>
 *   <li>Control connection: frames, each a 4-byte big-endian length and that many bytes (at most
 *       {@code Transport.MAX_FRAME_BYTES}); the length {@link #BULK_END} instead announces the end of the
 *       sender's bulk stream, followed by the stream's total length as 8 bytes.</li>
 *   <li>Bulk connection: the bulk stream's bytes, nothing else.</li>
 * </ul>
 */
final class Wire {

    static final int MAGIC = 0x4841554C; // "HAUL"
    static final byte VERSION = 1;
    static final byte KIND_CONTROL = 'C';
    static final byte KIND_BULK = 'B';
    static final byte ACCEPTED = 'K';
    static final int TOKEN_BYTES = 16;
    static final int PREAMBLE_BYTES = 4 + 1 + 1 + TOKEN_BYTES;
    static final int ACK_BYTES = 6;
    /** A length no frame can have (negative as an int): the end of the bulk stream, then 8 bytes of total. */
    static final int BULK_END = 0x80000001;

    private Wire() {
    }

    static Buffer preamble(byte kind, byte[] token) {
        return Buffer.buffer(PREAMBLE_BYTES).appendInt(MAGIC).appendByte(VERSION).appendByte(kind).appendBytes(token);
    }

    static Buffer ack() {
        return Buffer.buffer(ACK_BYTES).appendInt(MAGIC).appendByte(VERSION).appendByte(ACCEPTED);
    }

    static Buffer frame(byte[] payload) {
        return Buffer.buffer(4 + payload.length).appendInt(payload.length).appendBytes(payload);
    }

    static Buffer bulkEnd(long total) {
        return Buffer.buffer(12).appendInt(BULK_END).appendLong(total);
    }
}
