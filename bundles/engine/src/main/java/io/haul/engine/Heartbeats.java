package io.haul.engine;

import io.haul.protocol.v1.Envelope;
import io.haul.protocol.v1.Heartbeat;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Tells the source, while this side restores, that it is alive: the source holds the tree frozen meanwhile and
 * must tell a long restore from a lost link. Stops on close, before the next message goes out.
 */
final class Heartbeats implements AutoCloseable {

    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("haul-heartbeat").factory());

    Heartbeats(Peer peer, Duration interval) {
        timer.scheduleAtFixedRate(() -> {
            try {
                peer.send(Envelope.newBuilder().setHeartbeat(Heartbeat.getDefaultInstance()));
            } catch (IOException | RuntimeException e) {
                timer.shutdown(); // the source is gone: the commit wait that follows notices
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS); // no beat may follow the next message
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
