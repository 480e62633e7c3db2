package io.haul.transport.tls;

import io.haul.api.transport.Connection;
import io.haul.api.transport.PeerIdentity;
import io.haul.api.transport.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection between two agents over two TLS connections: control frames on one, the bulk stream on the
 * other, so a long bulk transfer never delays a control frame. Callers block on their own threads; the
 * event loops only move bytes between the sockets and the queues.
 */
final class TlsConnection implements Connection, ChannelEvents {

    private static final Logger LOG = LoggerFactory.getLogger(TlsConnection.class);

    /** How long a graceful close may wait for queued bytes to leave before the sockets are cut. */
    static final long CLOSE_GRACE_MS = 2_000;

    private final Vertx vertx;
    private final PeerIdentity peer;
    private final ControlChannel control;
    private final BulkChannel bulk;
    private final NetClient client;
    private final java.util.function.Consumer<TlsConnection> onClosed;
    private final CompletableFuture<Void> accepted = new CompletableFuture<>();
    private volatile String closed;

    /**
     * Takes over two channels whose events went to {@code relay} so far. On the client side
     * {@code acceptedAlready} is false: the server's answer is still to come, see {@link #awaitAccepted}.
     * {@code onClosed} is told once, when the connection closes for whatever reason.
     */
    TlsConnection(Vertx vertx, PeerIdentity peer, ControlChannel control, BulkChannel bulk, NetClient client,
            EventRelay relay, boolean acceptedAlready, java.util.function.Consumer<TlsConnection> onClosed) {
        this.vertx = vertx;
        this.peer = peer;
        this.control = control;
        this.bulk = bulk;
        this.client = client;
        this.onClosed = onClosed;
        if (acceptedAlready) {
            accepted.complete(null);
        }
        bulk.onEndOfOutput(this::sendBulkEnd);
        relay.handOver(this);
    }

    /** Client side: waits for the server to accept the pair; fails when it closed the connection instead. */
    void awaitAccepted(Duration timeout) throws IOException {
        try {
            accepted.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("no answer from " + peer.address() + " within " + timeout.toSeconds() + " s");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while connecting to " + peer.address());
        }
    }

    @Override
    public PeerIdentity peer() {
        return peer;
    }

    @Override
    public void send(byte[] frame) throws IOException {
        if (frame.length > Transport.MAX_FRAME_BYTES) {
            throw new IOException("control frame of " + frame.length + " bytes refused: over the limit of "
                    + Transport.MAX_FRAME_BYTES + " bytes");
        }
        control.write(Wire.frame(frame));
    }

    /** Test hook: a frame header claiming {@code claimedBytes}, bypassing {@link #send}'s check. */
    void sendRawHeader(int claimedBytes) throws IOException {
        control.write(io.vertx.core.buffer.Buffer.buffer(4).appendInt(claimedBytes));
    }

    private void sendBulkEnd(long total) {
        try {
            control.write(Wire.bulkEnd(total));
        } catch (IOException e) {
            LOG.debug("could not announce the end of the bulk stream to {}: {}", peer, e.getMessage());
        }
    }

    @Override
    public byte[] receive(Duration timeout) throws IOException {
        return control.receive(timeout);
    }

    @Override
    public OutputStream bulkOut() {
        return bulk.out;
    }

    @Override
    public InputStream bulkIn() {
        return bulk.in;
    }

    @Override
    public void close() {
        shutDown("connection closed", true);
    }

    // ---- events, on the event loops -----------------------------------------------------------------

    @Override
    public void accepted() {
        accepted.complete(null);
    }

    @Override
    public void bulkEnd(long total) {
        bulk.endsAt(total);
    }

    @Override
    public void violation(String reason) {
        LOG.error("closing the connection with {}: {}", describe(), reason);
        shutDown("connection closed: " + reason, false);
    }

    @Override
    public void controlClosed() {
        shutDown("connection closed by the peer " + describe(), false);
    }

    @Override
    public void bulkClosed() {
        if (closed != null) {
            return;
        }
        // the peer closing the whole connection closes both; wait for the control connection to say so
        vertx.setTimer(CLOSE_GRACE_MS, id -> {
            if (closed == null) {
                LOG.warn("the bulk connection with {} was lost; closing the connection", describe());
                shutDown("connection closed: its bulk connection was lost", false);
            }
        });
    }

    private String describe() {
        return "agent " + peer.agentName() + " (" + peer.address() + ")";
    }

    /**
     * Ends the connection once: callers' receive and bulk reads fail (at once when this end closed; after
     * what the peer had sent when it did), blocked writers fail, and both sockets close, cut after a grace
     * period if their queued bytes cannot leave (a peer that stopped reading bulk).
     */
    private void shutDown(String reason, boolean byThisEnd) {
        synchronized (this) {
            if (closed != null) {
                return;
            }
            closed = reason;
        }
        onClosed.accept(this);
        accepted.completeExceptionally(new IOException(reason));
        control.end(reason, byThisEnd);
        bulk.fail(reason, byThisEnd);
        closeSocket(control.socket());
        if (byThisEnd) {
            closeSocket(bulk.socket());
        } else {
            // the peer closes its bulk connection after its last bytes: let them arrive, within the grace period
            vertx.setTimer(CLOSE_GRACE_MS, id -> closeSocket(bulk.socket()));
        }
        if (client != null) {
            vertx.setTimer(CLOSE_GRACE_MS + 100, id -> client.close());
        }
    }

    private void closeSocket(NetSocket socket) {
        socket.close();
        vertx.setTimer(CLOSE_GRACE_MS, id -> {
            if (socket instanceof NetSocketInternal internal && internal.channelHandlerContext().channel().isOpen()) {
                internal.channelHandlerContext().channel().close();
            }
        });
    }

    @Override
    public String toString() {
        return "TLS connection with " + describe();
    }
}
