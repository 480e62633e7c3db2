package io.haul.transport.tls;

/** What the two TLS connections of a {@link TlsConnection} report, on their event loops. */
interface ChannelEvents {

    /** The server accepted the connection (client side). */
    default void accepted() {
    }

    /** The peer ended its bulk stream after {@code total} bytes. */
    default void bulkEnd(long total) {
    }

    /** The peer broke the protocol; the connection must close. */
    void violation(String reason);

    void controlClosed();

    void bulkClosed();
}
