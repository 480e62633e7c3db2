package io.haul.transport.inprocess;

import io.haul.api.transport.Connection;
import io.haul.api.transport.PeerIdentity;
import io.haul.api.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One end of an in-process connection: it sends on the "out" pipes and receives on the "in" pipes. */
final class InProcessConnection implements Connection {

    private static final Logger LOG = LoggerFactory.getLogger(InProcessConnection.class);

    private final PeerIdentity peer;
    private final FramePipe controlIn;
    private final FramePipe controlOut;
    private final BulkPipe bulkIn;
    private final BulkPipe bulkOut;
    private final Consumer<InProcessConnection> onClose;
    private volatile String closed;

    InProcessConnection(PeerIdentity peer, FramePipe controlIn, FramePipe controlOut, BulkPipe bulkIn,
            BulkPipe bulkOut, Consumer<InProcessConnection> onClose) {
        this.peer = peer;
        this.controlIn = controlIn;
        this.controlOut = controlOut;
        this.bulkIn = bulkIn;
        this.bulkOut = bulkOut;
        this.onClose = onClose;
    }

    /** The two ends of a new connection. */
    static InProcessConnection[] pair(PeerIdentity clientSees, PeerIdentity serverSees,
            Consumer<InProcessConnection> onClose) {
        FramePipe toServer = new FramePipe();
        FramePipe toClient = new FramePipe();
        BulkPipe bulkToServer = new BulkPipe();
        BulkPipe bulkToClient = new BulkPipe();
        return new InProcessConnection[] {
            new InProcessConnection(clientSees, toClient, toServer, bulkToClient, bulkToServer, onClose),
            new InProcessConnection(serverSees, toServer, toClient, bulkToServer, bulkToClient, onClose),
        };
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
        String why = closed;
        if (why != null) {
            throw new IOException(why);
        }
        controlOut.send(frame);
    }

    /** Test hook: a frame header claiming {@code claimedLength}, bypassing {@link #send}'s check. */
    void sendHeaderOnly(int claimedLength) throws IOException {
        controlOut.sendHeaderOnly(claimedLength);
    }

    @Override
    public byte[] receive(Duration timeout) throws IOException {
        String why = closed;
        if (why != null) {
            throw new IOException(why);
        }
        return controlIn.receive(timeout, claimed -> {
            String oversized = "the peer sent a control frame of " + Integer.toUnsignedString(claimed)
                    + " bytes, over the limit of " + Transport.MAX_FRAME_BYTES + " bytes";
            LOG.error("closing the in-process connection with {}: {}", peer, oversized);
            close("connection closed: " + oversized);
        });
    }

    @Override
    public OutputStream bulkOut() throws IOException {
        return bulkOut.out;
    }

    @Override
    public InputStream bulkIn() throws IOException {
        return bulkIn.in;
    }

    @Override
    public void close() {
        close("connection closed");
    }

    private void close(String reason) {
        synchronized (this) {
            if (closed != null) {
                return;
            }
            closed = reason;
        }
        controlOut.endOfSender("connection closed by the peer");
        controlIn.receiverGone(reason);
        bulkOut.writerGone(reason);
        bulkIn.readerGone(reason);
        onClose.accept(this);
    }

    @Override
    public String toString() {
        return "in-process connection with " + peer;
    }
}
