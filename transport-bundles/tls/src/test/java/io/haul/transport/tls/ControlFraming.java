package io.haul.transport.tls;

import io.haul.api.transport.Transport;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The control connection's framing ({@link Wire}) read the plain way, the whole stream at once: what
 * {@link ControlChannel}, which reads it piece by piece as it arrives, must make of the same bytes. Each event
 * is a line: "accepted", "frame LENGTH HASH", "bulk-end TOTAL" or "violation".
 */
final class ControlFraming {

    private ControlFraming() {
    }

    static List<String> events(byte[] stream, boolean awaitingAck) {
        List<String> events = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(stream);
        boolean ack = awaitingAck;
        while (true) {
            if (ack) {
                if (in.remaining() < Wire.ACK_BYTES) {
                    return events;
                }
                boolean ok = in.getInt() == Wire.MAGIC & in.get() == Wire.VERSION & in.get() == Wire.ACCEPTED;
                if (!ok) {
                    events.add("violation");
                    return events;
                }
                events.add("accepted");
                ack = false;
                continue;
            }
            if (in.remaining() < 4) {
                return events;
            }
            int length = in.getInt(in.position());
            if (length == Wire.BULK_END) {
                if (in.remaining() < 12) {
                    return events;
                }
                in.getInt();
                events.add("bulk-end " + in.getLong());
                continue;
            }
            if (length < 0 || length > Transport.MAX_FRAME_BYTES) {
                events.add("violation");
                return events;
            }
            if (in.remaining() < 4 + length) {
                return events;
            }
            in.getInt();
            byte[] frame = new byte[length];
            in.get(frame);
            events.add(frame(frame));
        }
    }

    static String frame(byte[] frame) {
        return "frame " + frame.length + " " + Integer.toHexString(Arrays.hashCode(frame));
    }
}
