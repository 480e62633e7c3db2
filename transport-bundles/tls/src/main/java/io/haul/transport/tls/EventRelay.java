package io.haul.transport.tls;

/**
 * The events of a connection's two channels, kept until the connection object exists and then passed on:
 * channels report from their event loops from the moment they are set up, which is before the connection
 * they will belong to is made (the client's second TLS connection, the server's pairing).
 */
final class EventRelay implements ChannelEvents {

    private ChannelEvents target;
    private boolean accepted;
    private long bulkEnd = -1;
    private String violation;
    private boolean controlClosed;
    private boolean bulkClosed;

    synchronized void handOver(ChannelEvents to) {
        target = to;
        if (accepted) {
            to.accepted();
        }
        if (bulkEnd >= 0) {
            to.bulkEnd(bulkEnd);
        }
        if (violation != null) {
            to.violation(violation);
        }
        if (controlClosed) {
            to.controlClosed();
        }
        if (bulkClosed) {
            to.bulkClosed();
        }
    }

    @Override
    public synchronized void accepted() {
        if (target != null) {
            target.accepted();
        } else {
            accepted = true;
        }
    }

    @Override
    public synchronized void bulkEnd(long total) {
        if (target != null) {
            target.bulkEnd(total);
        } else {
            bulkEnd = total;
        }
    }

    @Override
    public synchronized void violation(String reason) {
        if (target != null) {
            target.violation(reason);
        } else if (violation == null) {
            violation = reason;
        }
    }

    @Override
    public synchronized void controlClosed() {
        if (target != null) {
            target.controlClosed();
        } else {
            controlClosed = true;
        }
    }

    @Override
    public synchronized void bulkClosed() {
        if (target != null) {
            target.bulkClosed();
        } else {
            bulkClosed = true;
        }
    }
}
