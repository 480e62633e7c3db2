package io.haul.api.transport;

import io.haul.api.HaulException;
import io.haul.api.Plugin;
import java.net.InetSocketAddress;
import java.util.function.Consumer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * How agents reach each other ({@code tls}, {@code inprocess}). Registered with the property {@link #NAME}
 * (write {@code @HaulTransport("name")}). A transport authenticates both ends: a peer it cannot authenticate
 * never becomes a {@link Connection}.
 */
@ConsumerType
public interface Transport extends Plugin {

    /** Service property: the transport's name. */
    String NAME = "haul.transport";

    /** The largest control frame a connection accepts, in bytes. */
    int MAX_FRAME_BYTES = 4 * 1024 * 1024;

    /** Accepts connections on the address; each authenticated one is handed to the consumer. */
    Listener listen(InetSocketAddress address, Consumer<Connection> accepted) throws HaulException;

    /** Connects to another agent, which must prove to be {@code expectedAgent}. */
    Connection connect(InetSocketAddress address, String expectedAgent) throws HaulException;

    /** A listening endpoint; closing it stops accepting, connections already made go on. */
    interface Listener extends AutoCloseable {

        InetSocketAddress address();

        @Override
        void close();
    }
}
