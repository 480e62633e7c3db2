package io.haul.transport.tls;

import io.haul.api.transport.Transport;
import java.nio.ByteBuffer;
import java.util.Random;

/**
 * Control connection streams as {@link TlsConnection} writes them, led by the byte that makes the trial's reads
 * ({@link TlsFuzzTargets.ControlChannelTrial}): the server's answer when the channel awaits it (wrong one time
 * in ten), then frames, bulk-end markers and now and then a header claiming more than the limit or a negative
 * length. One stream in twenty carries over 64 KiB, so that the channel drops the bytes it has read.
 */
final class ControlStreamGenerators {

    private ControlStreamGenerators() {
    }

    static byte[] stream(Random random) {
        boolean big = random.nextInt(20) == 0;
        ByteBuffer out = ByteBuffer.allocate(big ? 512 * 1024 : 16 * 1024);
        byte lead = (byte) random.nextInt(256);
        out.put(lead);
        if ((lead & 1) == 1) {
            out.put(Wire.ack().getBytes());
            if (random.nextInt(10) == 0) {
                out.put(out.position() - 1 - random.nextInt(Wire.ACK_BYTES), (byte) random.nextInt(256));
            }
        }
        int items = random.nextInt(big ? 12 : 8);
        for (int i = 0; i < items; i++) {
            int kind = random.nextInt(20);
            if (kind == 0) {
                out.putInt(random.nextBoolean() ? Transport.MAX_FRAME_BYTES + 1 + random.nextInt(1 << 20) : -1 - random.nextInt(1000));
            } else if (kind < 3) {
                out.put(Wire.bulkEnd(random.nextLong()).getBytes());
            } else {
                byte[] payload = new byte[big ? random.nextInt(40 * 1024) : random.nextInt(600)];
                random.nextBytes(payload);
                out.put(Wire.frame(payload).getBytes());
            }
        }
        return java.util.Arrays.copyOf(out.array(), out.position());
    }
}
