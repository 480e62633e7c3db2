package io.haul.transport.tls;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.transport.Connection;
import io.haul.api.transport.HaulTransport;
import io.haul.api.transport.PeerIdentity;
import io.haul.api.transport.Transport;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code tls} transport: TCP with TLS 1.3 only and mutual authentication, through Vert.x. Both ends
 * present a certificate of the cluster CA and trust that CA alone; an agent's name is its certificate's
 * subject CN. A {@link Connection} is two TLS connections, control and bulk, paired by a random token
 * (see {@link Wire}).
 *
 * <p>Host names are not verified: agents are reached by IP address, and what matters is which agent
 * answered, not which name the address has. So Vert.x's hostname verification is off and {@link #connect}
 * compares the server certificate's CN, proven by the TLS handshake against the cluster CA, with the agent
 * it meant to reach.
 *
 * <p>{@code listen(null, ...)} listens on the configured {@code bindAddress:port} (also this service's
 * properties {@code bindAddress} and {@code port}).
 *
 * <p>On the agent's one Vert.x instance (the vertx bundle's service). Immediate: a listener is not lost when
 * nobody holds the service for a moment, and missing certificates are logged at start.
 */
@HaulTransport("tls")
@Component(service = Transport.class, configurationPid = TlsConfiguration.PID,
        immediate = true)
@Designate(ocd = TlsConfiguration.class)
public final class TlsTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(TlsTransport.class);

    static final String TLS_1_3 = "TLSv1.3";
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** How long the server waits for a preamble, and for the second connection of a pair. */
    static final Duration PAIRING_TIMEOUT = Duration.ofSeconds(10);

    private final TlsSettings settings;
    private final Vertx vertx;
    private final HandshakeAttempts attempts;
    private final SecureRandom random = new SecureRandom();
    /** The listeners and connections this transport made on the agent's shared Vert.x: closed when it goes. */
    private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();

    @Activate
    public TlsTransport(@Reference Vertx vertx, TlsConfiguration config, BundleContext context) {
        this(TlsSettings.of(config, context.getProperty(TlsSettings.STATE_PROPERTY)), vertx);
    }

    /** A transport on a Vert.x the caller owns (the agent's, or a test's). */
    TlsTransport(TlsSettings settings, Vertx vertx) {
        this(settings, vertx, HandshakeAttempts.DEFAULT);
    }

    /** A transport that gives handshakes other limits (tests that force a slow first one). */
    TlsTransport(TlsSettings settings, Vertx vertx, HandshakeAttempts attempts) {
        this.settings = settings;
        this.vertx = vertx;
        this.attempts = attempts;
        Usability usability = settings.usability();
        if (!usability.usable()) {
            LOG.warn("{}", usability.reason());
        }
    }

    /** Closes what this transport opened; the Vert.x instance is the agent's and stays. */
    @Deactivate
    void deactivate() {
        for (AutoCloseable resource : List.copyOf(open)) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.debug("TLS transport: closing {}: {}", resource, e.toString());
            }
        }
    }

    @Override
    public Usability usability() {
        return settings.usability();
    }

    // ---- listening ----------------------------------------------------------------------------------

    @Override
    public Listener listen(InetSocketAddress address, Consumer<Connection> accepted) throws HaulException {
        Objects.requireNonNull(accepted, "accepted");
        InetSocketAddress where = address != null ? address : settings.defaultListenAddress();
        String host = hostOf(where);
        NetServerOptions options = new NetServerOptions()
                .setHost(host)
                .setPort(where.getPort())
                .setTcpNoDelay(true)
                .setSsl(true)
                .setClientAuth(ClientAuth.REQUIRED)
                .setEnabledSecureTransportProtocols(Set.of(TLS_1_3))
                .setSslHandshakeTimeout(attempts.longest().toMillis()) // never shorter than a client's try
                .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
                .setKeyCertOptions(keyCert())
                .setTrustOptions(trust())
                .setSslEngineOptions(new HandshakeWatch((remote, reason) ->
                        LOG.warn("TLS transport: refused a connection from {}: {}", remote, reason)));
        NetServer server = vertx.createNetServer(options);
        Acceptor acceptor = new Acceptor(accepted);
        server.connectHandler(acceptor::connected);
        // handshake failures are logged by HandshakeWatch, with the remote address
        server.exceptionHandler(e -> LOG.debug("TLS transport: server-side failure: {}", e.toString()));
        int port;
        try {
            port = await(server.listen(), CONNECT_TIMEOUT).actualPort();
        } catch (Exception e) {
            throw new HaulException("transport.listen-failed",
                    "cannot listen on " + host + ":" + where.getPort() + ": " + message(e), cause(e));
        }
        InetSocketAddress bound = new InetSocketAddress(host, port);
        LOG.info("TLS transport listens on {}", bound);
        TlsListener listener = new TlsListener(server, bound, acceptor);
        open.add(listener);
        return listener;
    }

    private final class TlsListener implements Listener {
        private final NetServer server;
        private final InetSocketAddress address;
        private final Acceptor acceptor;

        TlsListener(NetServer server, InetSocketAddress address, Acceptor acceptor) {
            this.server = server;
            this.address = address;
            this.acceptor = acceptor;
        }

        @Override
        public InetSocketAddress address() {
            return address;
        }

        /**
         * Stops accepting. Vert.x's NetServer closes its connections when it closes; a shutdown with a grace
         * period of a year unbinds at once and leaves them open (they close with their {@link Connection}).
         * Waits until unbound: the shutdown event that reaches the open connections comes after the unbinding,
         * and with no connections open the shutdown completes at once.
         */
        @Override
        public void close() {
            open.remove(this);
            acceptor.closing = true;
            Future<Void> shutdown = server.shutdown(365, TimeUnit.DAYS);
            try {
                java.util.concurrent.CompletableFuture.anyOf(shutdown.toCompletionStage().toCompletableFuture(),
                        acceptor.unbound).get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.debug("TLS transport: closing the listener on {}: {}", address, e.toString());
            }
            LOG.info("TLS transport stopped listening on {}", address);
        }
    }

    /** The server side: reads each socket's preamble, pairs control with bulk, hands the pair over. */
    private final class Acceptor {
        private final Consumer<Connection> accepted;
        private final Map<String, Pending> pending = new ConcurrentHashMap<>();
        final java.util.concurrent.CompletableFuture<Void> unbound = new java.util.concurrent.CompletableFuture<>();
        volatile boolean closing;

        Acceptor(Consumer<Connection> accepted) {
            this.accepted = accepted;
        }

        /** A socket whose TLS handshake succeeded: its client proved a certificate of the cluster CA. */
        void connected(NetSocket socket) {
            String remote = remote(socket);
            socket.shutdownHandler(v -> unbound.complete(null));
            String agent;
            try {
                agent = Certificates.agentName(socket.peerCertificates());
            } catch (SSLPeerUnverifiedException e) {
                LOG.warn("TLS transport: refused a connection from {}: {}", remote, e.getMessage());
                socket.close();
                return;
            }
            Buffer preamble = Buffer.buffer(Wire.PREAMBLE_BYTES);
            long timer = vertx.setTimer(PAIRING_TIMEOUT.toMillis(), id -> {
                LOG.warn("TLS transport: closed a connection from {} (agent {}): no Haul preamble within {} s",
                        remote, agent, PAIRING_TIMEOUT.toSeconds());
                socket.close();
            });
            socket.handler(data -> {
                preamble.appendBuffer(data);
                if (preamble.length() >= Wire.PREAMBLE_BYTES) {
                    vertx.cancelTimer(timer);
                    socket.handler(null);
                    preambleRead(socket, remote, agent, preamble);
                }
            });
            socket.closeHandler(v -> vertx.cancelTimer(timer));
        }

        private void preambleRead(NetSocket socket, String remote, String agent, Buffer preamble) {
            byte kind = preamble.getByte(5);
            if (preamble.getInt(0) != Wire.MAGIC || preamble.getByte(4) != Wire.VERSION
                    || (kind != Wire.KIND_CONTROL && kind != Wire.KIND_BULK)) {
                LOG.warn("TLS transport: refused a connection from {} (agent {}): not a Haul transport peer of "
                        + "version {}", remote, agent, Wire.VERSION);
                socket.close();
                return;
            }
            String token = HexFormat.of().formatHex(preamble.getBytes(6, Wire.PREAMBLE_BYTES));
            Buffer rest = preamble.getBuffer(Wire.PREAMBLE_BYTES, preamble.length());
            Pending pair = pending.computeIfAbsent(token, t -> new Pending(t));
            pair.arrived(kind, socket, remote, agent, rest);
        }

        private final class Pending {
            private final String token;
            private final EventRelay relay = new EventRelay();
            private final long timer;
            private ControlChannel control;
            private BulkChannel bulk;
            private String controlRemote;
            private String controlAgent;
            private String bulkAgent;
            private boolean done;

            Pending(String token) {
                this.token = token;
                this.timer = vertx.setTimer(PAIRING_TIMEOUT.toMillis(), id -> expire());
            }

            synchronized void arrived(byte kind, NetSocket socket, String remote, String agent, Buffer rest) {
                if (done || (kind == Wire.KIND_CONTROL ? control != null : bulk != null)) {
                    LOG.warn("TLS transport: refused a connection from {} (agent {}): its pairing token is spent",
                            remote, agent);
                    socket.close();
                    return;
                }
                if (kind == Wire.KIND_CONTROL) {
                    control = new ControlChannel(socket, false, relay, rest);
                    controlRemote = remote;
                    controlAgent = agent;
                } else {
                    bulk = new BulkChannel(socket, relay, rest);
                    bulkAgent = agent;
                }
                if (control == null || bulk == null) {
                    return;
                }
                done = true;
                pending.remove(token);
                vertx.cancelTimer(timer);
                if (!controlAgent.equals(bulkAgent)) {
                    LOG.warn("TLS transport: refused a connection from {}: its control connection proved agent {} "
                            + "and its bulk connection agent {}", controlRemote, controlAgent, bulkAgent);
                    control.socket().close();
                    bulk.socket().close();
                    return;
                }
                PeerIdentity peer = new PeerIdentity(controlAgent, controlRemote);
                TlsConnection connection = new TlsConnection(vertx, peer, control, bulk, null, relay, true, open::remove);
                open.add(connection);
                control.socket().write(Wire.ack());
                LOG.info("TLS transport: accepted a connection from agent {} ({})", controlAgent, controlRemote);
                // the consumer may block: never on an event loop
                Thread.ofVirtual().name("haul-tls-accept-" + controlAgent).start(() -> {
                    try {
                        accepted.accept(connection);
                    } catch (RuntimeException e) {
                        LOG.error("TLS transport: the handler of a connection from {} failed; closing it", peer, e);
                        connection.close();
                    }
                });
            }

            private synchronized void expire() {
                if (done) {
                    return;
                }
                done = true;
                pending.remove(token);
                String from = control != null ? controlRemote : "agent " + bulkAgent;
                LOG.warn("TLS transport: closed a half connection from {}: its other half did not come within {} s",
                        from, PAIRING_TIMEOUT.toSeconds());
                if (control != null) {
                    control.socket().close();
                }
                if (bulk != null) {
                    bulk.socket().close();
                }
            }
        }
    }

    // ---- connecting ---------------------------------------------------------------------------------

    @Override
    public Connection connect(InetSocketAddress address, String expectedAgent) throws HaulException {
        Objects.requireNonNull(address, "address");
        String where = hostOf(address) + ":" + address.getPort();
        TimedOut last = null;
        for (int attempt = 0; attempt < attempts.limits().size(); attempt++) {
            Duration limit = attempts.limits().get(attempt);
            if (attempt > 0) {
                LOG.warn("TLS transport: no handshake with {} within {} s ({}); trying again with {} s (attempt {} of "
                        + "{}): nothing was sent yet", where, attempts.limits().get(attempt - 1).toMillis() / 1000.0,
                        last.failure().getMessage(), limit.toMillis() / 1000.0, attempt + 1, attempts.limits().size());
                pause(attempts.pauseBefore(attempt));
            }
            try {
                return connectOnce(address, expectedAgent, limit);
            } catch (TimedOut e) {
                last = e;
            }
        }
        HaulException failure = last.failure();
        throw new HaulException(failure.code(), failure.getMessage() + " (" + attempts.limits().size()
                + " attempts, given " + attempts.describe() + ")", failure.getCause());
    }

    /** A connect that timed out, to be tried again: {@link #failure} is what to say if it is the last. */
    private static final class TimedOut extends Exception {
        private final HaulException failure;

        TimedOut(HaulException failure) {
            super(failure.getMessage(), failure, false, false);
            this.failure = failure;
        }

        HaulException failure() {
            return failure;
        }
    }

    private static void pause(Duration pause) throws HaulException {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HaulException("transport.interrupted", "interrupted while connecting", e);
        }
    }

    /** A handshake that ran out of time, or a wait for one: not a refusal, and not a peer that is not there. */
    private static boolean timedOut(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SslHandshakeTimeoutException || t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private Connection connectOnce(InetSocketAddress address, String expectedAgent, Duration handshakeLimit)
            throws HaulException, TimedOut {
        String host = hostOf(address);
        int port = address.getPort();
        String where = host + ":" + port;
        NetClient client = vertx.createNetClient(new NetClientOptions()
                .setConnectTimeout((int) CONNECT_TIMEOUT.toMillis())
                .setTcpNoDelay(true)
                .setSsl(true)
                // identity is the certificate's CN, checked below: agents are reached by IP address
                .setHostnameVerificationAlgorithm("")
                .setEnabledSecureTransportProtocols(Set.of(TLS_1_3))
                .setSslHandshakeTimeout(handshakeLimit.toMillis())
                .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
                .setKeyCertOptions(keyCert())
                .setTrustOptions(trust()));
        EventRelay relay = new EventRelay();
        ControlChannel control = null;
        BulkChannel bulk = null;
        try {
            // the channels are set up on the event loop as soon as each socket connects: no event is missed
            control = await(client.connect(port, host).map(s -> new ControlChannel(s, true, relay, null)),
                    CONNECT_TIMEOUT.plus(handshakeLimit));
            String agent;
            try {
                agent = Certificates.agentName(control.socket().peerCertificates());
            } catch (SSLPeerUnverifiedException e) {
                // in TLS 1.3 the client's handshake ends before the server checked the client's certificate:
                // a server that refuses it answers with an alert, which may have closed the session already
                Throwable trouble = control.trouble(Duration.ofSeconds(2));
                if (trouble != null) {
                    throw new HaulException("transport.refused", "the agent at " + where + " refused this agent's "
                            + "certificate (" + trouble.getMessage() + ")", trouble);
                }
                throw e;
            }
            if (expectedAgent != null && !expectedAgent.isEmpty() && !expectedAgent.equals(agent)) {
                throw new HaulException("transport.wrong-peer", "expected agent " + expectedAgent + " at " + where
                        + ", but the agent there proved to be " + agent);
            }
            bulk = await(client.connect(port, host).map(s -> new BulkChannel(s, relay, null)),
                    CONNECT_TIMEOUT.plus(handshakeLimit));
            String bulkAgent = Certificates.agentName(bulk.socket().peerCertificates());
            if (!agent.equals(bulkAgent)) {
                throw new HaulException("transport.wrong-peer", "the agent at " + where + " proved to be " + agent
                        + " on one connection and " + bulkAgent + " on the other");
            }
            byte[] token = new byte[Wire.TOKEN_BYTES];
            random.nextBytes(token);
            TlsConnection connection = new TlsConnection(vertx, new PeerIdentity(agent, where), control, bulk,
                    client, relay, false, open::remove);
            open.add(connection);
            control.socket().write(Wire.preamble(Wire.KIND_CONTROL, token));
            bulk.socket().write(Wire.preamble(Wire.KIND_BULK, token));
            try {
                connection.awaitAccepted(PAIRING_TIMEOUT.plus(Duration.ofSeconds(5)));
            } catch (IOException e) {
                connection.close();
                Throwable trouble = failureOf(control);
                String why = trouble != null ? "it refused this agent's certificate (" + trouble.getMessage() + ")"
                        : e.getMessage() + " (does it trust this agent's certificate?)";
                throw new HaulException("transport.refused", "agent " + agent + " at " + where
                        + " closed the connection instead of accepting it: " + why, e);
            }
            return connection;
        } catch (HaulException e) {
            closeQuietly(control, bulk, client);
            throw e;
        } catch (SSLPeerUnverifiedException e) {
            closeQuietly(control, bulk, client);
            throw new HaulException("transport.handshake-failed", "the peer at " + where + ": " + e.getMessage(), e);
        } catch (Exception e) {
            closeQuietly(control, bulk, client);
            Throwable cause = cause(e);
            if (cause instanceof SSLException) {
                HaulException failure = new HaulException("transport.handshake-failed", "TLS handshake with " + where
                        + " failed: " + HandshakeWatch.reason(cause), cause);
                if (timedOut(cause)) {
                    throw new TimedOut(failure);
                }
                throw failure;
            }
            if (cause instanceof ConnectException || cause instanceof TimeoutException) {
                HaulException failure = new HaulException("transport.unreachable", "cannot connect to " + where + ": "
                        + message(e), cause);
                if (timedOut(cause)) {
                    throw new TimedOut(failure);
                }
                throw failure;
            }
            throw new HaulException("transport.connect-failed", "cannot connect to " + where + ": " + message(e), cause);
        }
    }

    /** The TLS alert that explains a refusal arrives about when the connection closes; wait for it a little. */
    private static Throwable failureOf(ControlChannel control) {
        try {
            return control.failure(Duration.ofMillis(500));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static void closeQuietly(ControlChannel control, BulkChannel bulk, NetClient client) {
        if (control != null) {
            control.socket().close();
        }
        if (bulk != null) {
            bulk.socket().close();
        }
        client.close();
    }

    /** Test hook: makes the peer of {@code connection} receive a frame header claiming {@code claimedBytes}. */
    static void sendRawHeader(Connection connection, int claimedBytes) throws IOException {
        ((TlsConnection) connection).sendRawHeader(claimedBytes);
    }

    // ---- certificates -------------------------------------------------------------------------------

    private PemKeyCertOptions keyCert() throws HaulException {
        return new PemKeyCertOptions()
                .setCertValue(read(settings.certificate(), "the agent's certificate"))
                .setKeyValue(read(settings.privateKey(), "the agent's private key"));
    }

    private PemTrustOptions trust() throws HaulException {
        return new PemTrustOptions().addCertValue(read(settings.caCert(), "the cluster CA certificate"));
    }

    private Buffer read(Path file, String what) throws HaulException {
        Usability usability = settings.usability();
        if (!usability.usable()) {
            throw new HaulException("transport.unusable", usability.reason());
        }
        try {
            return Buffer.buffer(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new HaulException("transport.unusable", "TLS transport: cannot read " + what + " " + file + ": "
                    + e.getMessage(), e);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /** Waits for a Vert.x future on the caller's thread, which must not be one of Vert.x's. */
    private static <T> T await(Future<T> future, Duration timeout) throws Exception {
        if (Context.isOnVertxThread()) {
            throw new IllegalStateException("the TLS transport blocks: call it from a thread of your own");
        }
        try {
            return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static Throwable cause(Throwable e) {
        return e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    }

    private static String message(Throwable e) {
        Throwable cause = cause(e);
        if (cause instanceof TimeoutException) {
            return "no answer in time";
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    private static String hostOf(InetSocketAddress address) {
        return address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
    }

    private static String remote(NetSocket socket) {
        var address = socket.remoteAddress();
        return address == null ? "an unknown address" : address.hostAddress() + ":" + address.port();
    }
}
