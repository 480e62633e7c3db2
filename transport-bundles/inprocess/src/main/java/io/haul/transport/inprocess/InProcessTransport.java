package io.haul.transport.inprocess;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.transport.Connection;
import io.haul.api.transport.HaulTransport;
import io.haul.api.transport.PeerIdentity;
import io.haul.api.transport.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code inprocess} transport: {@link #listen} registers the address in a table of this JVM and
 * {@link #connect} pairs in-memory pipes with the listener found there. Same behaviour as a network
 * transport where it applies: the frame limit on both ends, bounded flow-controlled bulk streams that never
 * hold up control frames, close reaching the other end. Each transport names itself ({@code agentName});
 * there is nothing to authenticate inside one JVM, so {@code connect} checks that name against the
 * expected agent and nothing more.
 *
 * <p>Outside OSGi (tests of other modules), make one per agent with {@link #InProcessTransport(String)}
 * and {@link #close()} it afterwards.
 */
@HaulTransport("inprocess")
@Component(service = Transport.class, configurationPid = InProcessConfiguration.PID)
@Designate(ocd = InProcessConfiguration.class)
public final class InProcessTransport implements Transport, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InProcessTransport.class);

    /** Listeners of this JVM by "host:port" (host "*" for a wildcard address). */
    private static final Map<String, InProcessListener> LISTENERS = new ConcurrentHashMap<>();
    private static final AtomicInteger NEXT_PORT = new AtomicInteger(20_000);
    private static final AtomicLong NEXT_CONNECTION = new AtomicLong();

    private final String agentName;
    private final Set<InProcessListener> listeners = ConcurrentHashMap.newKeySet();
    private final Set<InProcessConnection> connections = ConcurrentHashMap.newKeySet();

    @Activate
    public InProcessTransport(InProcessConfiguration config) {
        this(config.agentName().isBlank() ? hostName() : config.agentName());
    }

    /** A transport that names itself {@code agentName} to its peers. */
    public InProcessTransport(String agentName) {
        if (Objects.requireNonNull(agentName, "agentName").isBlank()) {
            throw new IllegalArgumentException("an agent needs a name");
        }
        this.agentName = agentName;
    }

    public String agentName() {
        return agentName;
    }

    @Override
    public Usability usability() {
        return Usability.yes();
    }

    @Override
    public Listener listen(InetSocketAddress address, Consumer<Connection> accepted) throws HaulException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(accepted, "accepted");
        String host = hostOf(address);
        InProcessListener listener;
        if (address.getPort() != 0) {
            listener = new InProcessListener(host, address.getPort(), accepted);
            if (LISTENERS.putIfAbsent(listener.key, listener) != null) {
                throw new HaulException("transport.address-in-use",
                        "in-process address " + listener.key + " already has a listener");
            }
        } else {
            do {
                listener = new InProcessListener(host, NEXT_PORT.getAndIncrement(), accepted);
            } while (LISTENERS.putIfAbsent(listener.key, listener) != null);
        }
        listeners.add(listener);
        LOG.debug("agent {} listens in-process on {}", agentName, listener.key);
        return listener;
    }

    @Override
    public Connection connect(InetSocketAddress address, String expectedAgent) throws HaulException {
        Objects.requireNonNull(address, "address");
        InProcessListener found = LISTENERS.get(hostOf(address) + ":" + address.getPort());
        InProcessListener listener = found != null ? found : LISTENERS.get("*:" + address.getPort());
        if (listener == null) {
            throw new HaulException("transport.unreachable",
                    "nothing listens in-process on " + hostOf(address) + ":" + address.getPort());
        }
        String serverName = listener.owner().agentName;
        if (expectedAgent != null && !expectedAgent.isEmpty() && !expectedAgent.equals(serverName)) {
            throw new HaulException("transport.wrong-peer", "expected agent " + expectedAgent + " at in-process "
                    + listener.key + ", but the agent there is " + serverName);
        }
        long id = NEXT_CONNECTION.incrementAndGet();
        InProcessTransport server = listener.owner();
        InProcessConnection[] ends = InProcessConnection.pair(
                new PeerIdentity(serverName, "inprocess:" + listener.key),
                new PeerIdentity(agentName, "inprocess:" + agentName + "#" + id),
                closed -> {
                    connections.remove(closed);
                    server.connections.remove(closed);
                });
        connections.add(ends[0]);
        server.connections.add(ends[1]);
        // the accepting side runs on its own thread, as a network transport's would: it may block
        Thread.ofVirtual().name("haul-inprocess-accept-" + id).start(() -> {
            try {
                listener.accepted.accept(ends[1]);
            } catch (RuntimeException e) {
                LOG.error("the accept handler of in-process {} failed; closing the connection", listener.key, e);
                ends[1].close();
            }
        });
        return ends[0];
    }

    /** Test hook: makes the peer of {@code connection} receive a header claiming {@code claimedLength}. */
    static void sendHeaderOnly(Connection connection, int claimedLength) throws IOException {
        ((InProcessConnection) connection).sendHeaderOnly(claimedLength);
    }

    /** Closes this transport's listeners and connections. */
    @Deactivate
    @Override
    public void close() {
        listeners.forEach(InProcessListener::close);
        connections.forEach(InProcessConnection::close);
    }

    private static String hostOf(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip != null && ip.isAnyLocalAddress()) {
            return "*";
        }
        return ip != null ? ip.getHostAddress() : address.getHostString();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    private final class InProcessListener implements Listener {
        final String key;
        final String host;
        final int port;
        final Consumer<Connection> accepted;

        InProcessListener(String host, int port, Consumer<Connection> accepted) {
            this.host = host;
            this.port = port;
            this.key = host + ":" + port;
            this.accepted = accepted;
        }

        InProcessTransport owner() {
            return InProcessTransport.this;
        }

        @Override
        public InetSocketAddress address() {
            return "*".equals(host) ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
        }

        @Override
        public void close() {
            LISTENERS.remove(key, this);
            listeners.remove(this);
        }
    }
}
