package io.haul.engine;

import io.haul.api.transport.Connection;
import io.haul.protocol.Frames;
import io.haul.protocol.ProtocolException;
import io.haul.protocol.Versions;
import io.haul.protocol.v1.Abort;
import io.haul.protocol.v1.Capabilities;
import io.haul.protocol.v1.Envelope;
import io.haul.protocol.v1.Error;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/** The other agent of one migration, spoken to in typed protocol messages. */
final class Peer implements AutoCloseable {

    private final Connection connection;
    private final String migrationId;
    private volatile int version = Versions.MAX;
    private volatile Capabilities capabilities = Capabilities.getDefaultInstance();

    Peer(Connection connection, String migrationId) {
        this.connection = connection;
        this.migrationId = migrationId;
    }

    Connection connection() {
        return connection;
    }

    String name() {
        return connection.peer().agentName();
    }

    void agreeOn(int version) {
        this.version = version;
    }

    /** What the peer said in the handshake it has and can take. */
    void heard(Capabilities said) {
        this.capabilities = said;
    }

    Capabilities capabilities() {
        return capabilities;
    }

    /** The protocol version both sides agreed on. */
    int version() {
        return version;
    }

    void send(Envelope.Builder message) throws IOException {
        connection.send(Frames.encode(message.setVersion(version).setMigrationId(migrationId).build()));
    }

    /** The next message, which must be the expected one; an Abort or Error from the peer is thrown as such. */
    Envelope receive(Envelope.BodyCase expected, Duration timeout) throws IOException {
        Envelope envelope = Frames.decode(connection.receive(timeout));
        if (!migrationId.isEmpty() && !envelope.getMigrationId().equals(migrationId)) {
            throw new ProtocolException("protocol.unexpected", "a message of migration " + envelope.getMigrationId()
                    + " arrived on the connection of migration " + migrationId);
        }
        return Frames.expect(envelope, expected);
    }

    /**
     * Waits for the expected message across the peer's heartbeats: each must come within {@code silence},
     * all of it within {@code total}. A peer that goes quiet is taken for lost well before the total.
     */
    Envelope receiveAcrossHeartbeats(Envelope.BodyCase expected, Duration silence, Duration total) throws IOException {
        long deadline = System.nanoTime() + total.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new java.net.SocketTimeoutException("no " + expected + " from " + name() + " within " + total.toSeconds() + " s");
            }
            Envelope envelope = Frames.decode(connection.receive(Duration.ofNanos(Math.min(left, silence.toNanos()))));
            if (envelope.getBodyCase() != Envelope.BodyCase.HEARTBEAT) {
                return Frames.expect(envelope, expected);
            }
        }
    }

    /**
     * After the connection failed under a send: the Abort or Error the peer sent before it closed, if it is still
     * to be read (a destination that fails while the source streams tells why, then closes, and the source sees
     * only the closed stream). Empty when the peer said nothing within {@code wait}.
     */
    Optional<ProtocolException> lastWord(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                Envelope envelope = Frames.decode(connection.receive(Duration.ofNanos(deadline - System.nanoTime())));
                if (envelope.getBodyCase() == Envelope.BodyCase.ABORT || envelope.getBodyCase() == Envelope.BodyCase.ERROR) {
                    try {
                        Frames.expect(envelope, Envelope.BodyCase.BODY_NOT_SET); // throws the Abort or Error as such
                    } catch (ProtocolException word) {
                        return Optional.of(word);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // nothing more to read
        }
        return Optional.empty();
    }

    /** Tells the peer to roll back; best effort, the peer also rolls back when the connection drops. */
    void abort(String code, String message) {
        try {
            send(Envelope.newBuilder().setAbort(Abort.newBuilder().setCode(code).setMessage(message)));
        } catch (IOException | RuntimeException ignored) {
            // the peer is gone: it rolls back on its own
        }
    }

    void refuse(String code, String message) {
        try {
            send(Envelope.newBuilder().setError(Error.newBuilder().setCode(code).setMessage(message)));
        } catch (IOException | RuntimeException ignored) {
            // the peer is gone
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (IOException ignored) {
            // closing a dead connection
        }
    }
}
