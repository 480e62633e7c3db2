package io.haul.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.haul.api.transport.Connection;
import io.haul.api.transport.PeerIdentity;
import io.haul.protocol.v1.Envelope;
import io.haul.protocol.v1.Heartbeat;
import io.haul.protocol.v1.Restored;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PeerTest {

    private final BlockingQueue<byte[]> incoming = new LinkedBlockingQueue<>();
    private final Peer peer = new Peer(new QueueConnection(incoming), "m1");

    @Test
    void heartbeatsAreSkippedUntilTheAnswerComes() throws IOException {
        incoming.add(frame(Envelope.newBuilder().setHeartbeat(Heartbeat.getDefaultInstance())));
        incoming.add(frame(Envelope.newBuilder().setHeartbeat(Heartbeat.getDefaultInstance())));
        incoming.add(frame(Envelope.newBuilder().setRestored(Restored.newBuilder().setRootPid(42))));

        Envelope answer = peer.receiveAcrossHeartbeats(Envelope.BodyCase.RESTORED, Duration.ofSeconds(5),
                Duration.ofSeconds(10));

        assertEquals(42, answer.getRestored().getRootPid());
    }

    @Test
    void aPeerThatGoesQuietIsLostAfterTheSilenceNotTheTotal() {
        incoming.add(frame(Envelope.newBuilder().setHeartbeat(Heartbeat.getDefaultInstance())));
        long start = System.nanoTime();

        assertThrows(SocketTimeoutException.class, () -> peer.receiveAcrossHeartbeats(Envelope.BodyCase.RESTORED,
                Duration.ofMillis(300), Duration.ofSeconds(60)));

        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(true, waited < 10_000, "waited " + waited + " ms");
    }

    private static byte[] frame(Envelope.Builder message) {
        return message.setVersion(1).setMigrationId("m1").build().toByteArray();
    }

    /** A connection whose incoming frames a test puts in a queue. */
    private record QueueConnection(BlockingQueue<byte[]> frames) implements Connection {

        @Override
        public PeerIdentity peer() {
            return new PeerIdentity("other", "test");
        }

        @Override
        public void send(byte[] frame) {
        }

        @Override
        public byte[] receive(Duration timeout) throws IOException {
            try {
                byte[] frame = frames.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
                if (frame == null) {
                    throw new SocketTimeoutException("nothing within " + timeout);
                }
                return frame;
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }

        @Override
        public OutputStream bulkOut() {
            return OutputStream.nullOutputStream();
        }

        @Override
        public InputStream bulkIn() {
            return InputStream.nullInputStream();
        }

        @Override
        public void close() {
        }
    }
}
