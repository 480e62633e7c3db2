package io.haul.busclient;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.haul.eventbus.BusSignature;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The event bus as the client sees it, whichever way it came in: as a member of the agents' cluster, or through an
 * agent's TCP bridge. Requests get a JSON object or fail with the agent's {@link ReplyException}.
 */
interface Bus extends AutoCloseable {

    /** A request to an address; {@code body} a JsonObject, or a String sent as it is. */
    Future<JsonObject> request(String address, Object body, Map<String, String> headers, long timeoutMillis);

    /** Receives what is published on an address; the future completes once the subscription is in place. */
    Future<Void> subscribe(String address, Handler<JsonObject> handler);

    /** Whether requests that start or cancel must carry the client's own signature (a member's do; the bridge signs). */
    boolean signs();

    @Override
    void close();

    /** PEM files as make-certs.sh writes them: ca.pem, agent.pem, agent.key. */
    record Tls(Path caCert, Path certificate, Path privateKey) {
        static Tls in(Path folder) {
            return new Tls(folder.resolve("ca.pem"), folder.resolve("agent.pem"), folder.resolve("agent.key"));
        }

        PemKeyCertOptions keyCert() throws IOException {
            return new PemKeyCertOptions().setCertValue(Buffer.buffer(Files.readAllBytes(certificate)))
                    .setKeyValue(Buffer.buffer(Files.readAllBytes(privateKey)));
        }

        PemTrustOptions trust() throws IOException {
            return new PemTrustOptions().addCertValue(Buffer.buffer(Files.readAllBytes(caCert)));
        }
    }

    /**
     * Joins the cluster as a Vert.x member: a Hazelcast lite member (it holds none of the cluster's data, so its
     * coming and going moves none), its event bus TLS 1.3 with the client's certificate, as the agents require.
     */
    static Bus member(String clusterName, List<String> members, String bindAddress, int port, Tls tls, long timeoutMillis)
            throws Exception {
        Config config = new Config();
        config.setClusterName(clusterName);
        config.setLiteMember(true);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "jdk");
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.getMetricsConfig().setEnabled(false);
        config.getNetworkConfig().setPort(port).setPortAutoIncrement(true);
        config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(bindAddress);
        config.setProperty("hazelcast.socket.bind.any", "false");
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(members);
        EventBusOptions eventBus = new EventBusOptions().setHost(bindAddress).setPort(0).setClusterPublicHost(bindAddress)
                .setSsl(true).setClientAuth(ClientAuth.REQUIRED).setEnabledSecureTransportProtocols(Set.of("TLSv1.3"))
                .setKeyCertOptions(tls.keyCert()).setTrustOptions(tls.trust());
        Vertx vertx = Vertx.builder().with(new VertxOptions().setEventBusOptions(eventBus))
                .withClusterManager(new HazelcastClusterManager(config)).buildClustered()
                .toCompletionStage().toCompletableFuture().get(timeoutMillis, TimeUnit.MILLISECONDS);
        return new Bus() {
            @Override
            public Future<JsonObject> request(String address, Object body, Map<String, String> headers, long timeout) {
                DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeout);
                headers.forEach(options::addHeader);
                return vertx.eventBus().request(address, body, options).map(m -> (JsonObject) m.body());
            }

            @Override
            public Future<Void> subscribe(String address, Handler<JsonObject> handler) {
                MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(address, m -> handler.handle(m.body()));
                return consumer.completion();
            }

            @Override
            public boolean signs() {
                return true;
            }

            @Override
            public void close() {
                try {
                    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    System.err.println("bus-client: leaving the cluster: " + e);
                }
            }
        };
    }

    /**
     * Connects to an agent's TCP event-bus bridge over TLS 1.3 with the client's certificate: frames of a 4-byte
     * length and a JSON object ({@code send}, {@code register}; the bridge answers {@code message} or {@code err}).
     *
     * <p>The connection counts as made only once the bridge answered a {@code ping}: in TLS 1.3 the client's side of
     * the handshake ends before the agent has checked the client's certificate, and an agent that gives up the
     * handshake (it took longer than it allows, a busy machine) closes a connection the client already took for made.
     * Before this check, a request written then vanished without a trace and the client waited its whole timeout.
     */
    static Bus bridge(String host, int port, Tls tls, long timeoutMillis) throws Exception {
        Vertx vertx = Vertx.vertx();
        NetSocket socket;
        try {
            socket = vertx.createNetClient(new NetClientOptions().setSsl(true).setHostnameVerificationAlgorithm("")
                    .setEnabledSecureTransportProtocols(Set.of("TLSv1.3")).setConnectTimeout((int) timeoutMillis)
                    // as long as a request may take: a client JVM starting on a busy machine is slow to shake hands
                    .setSslHandshakeTimeout(timeoutMillis).setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
                    .setKeyCertOptions(tls.keyCert()).setTrustOptions(tls.trust()))
                    .connect(port, host).toCompletionStage().toCompletableFuture().get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            vertx.close();
            throw e;
        }
        String bridge = host + ":" + port;
        Map<String, Promise<JsonObject>> pending = new ConcurrentHashMap<>();
        Map<String, Handler<JsonObject>> subscriptions = new ConcurrentHashMap<>();
        Promise<Void> pong = Promise.promise();
        RecordParser frames = RecordParser.newFixed(4);
        frames.handler(new Handler<>() {
            int size = -1;

            @Override
            public void handle(Buffer buffer) {
                if (size < 0) {
                    size = buffer.getInt(0);
                    frames.fixedSizeMode(size);
                    return;
                }
                JsonObject frame = new JsonObject(buffer);
                size = -1;
                frames.fixedSizeMode(4);
                if ("pong".equals(frame.getString("type"))) {
                    pong.tryComplete();
                    return;
                }
                String address = frame.getString("address", "");
                Promise<JsonObject> reply = pending.remove(address);
                if ("err".equals(frame.getString("type"))) {
                    ReplyException failure = new ReplyException(ReplyFailure.RECIPIENT_FAILURE,
                            frame.getInteger("failureCode", -1), frame.getString("message"));
                    if (reply != null) {
                        reply.tryFail(failure);
                    } else {
                        // refused by the bridge itself (access_denied): it names no address, so it fails every request
                        pending.values().forEach(p -> p.tryFail(failure));
                        pending.clear();
                    }
                } else if (reply != null) {
                    reply.tryComplete(frame.getJsonObject("body"));
                } else if (subscriptions.containsKey(address)) {
                    subscriptions.get(address).handle(frame.getJsonObject("body"));
                }
            }
        });
        socket.handler(frames);
        String closed = "the bridge at " + bridge + " closed the connection";
        socket.closeHandler(v -> {
            pong.tryFail(closed + " before it answered a ping (it gave up the TLS handshake, or refused the certificate)");
            pending.values().forEach(p -> p.tryFail(closed));
        });
        try {
            writeFrame(socket, new JsonObject().put("type", "ping")).onFailure(pong::tryFail);
            pong.future().toCompletionStage().toCompletableFuture().get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            vertx.close();
            throw new IOException("the bridge at " + bridge + " did not answer a ping within " + timeoutMillis + " ms");
        } catch (ExecutionException e) {
            vertx.close();
            throw new IOException(e.getCause().getMessage(), e.getCause());
        }
        return new Bus() {
            /** A frame that cannot be written (the connection closed meanwhile) fails its request at once. */
            private void write(JsonObject frame, Promise<JsonObject> reply) {
                writeFrame(socket, frame).onFailure(e -> reply.tryFail(closed + ": " + e.getMessage()));
            }

            @Override
            public Future<JsonObject> request(String address, Object body, Map<String, String> headers, long timeout) {
                String replyAddress = "bus-client." + UUID.randomUUID();
                Promise<JsonObject> reply = Promise.promise();
                pending.put(replyAddress, reply);
                vertx.setTimer(timeout, t -> {
                    if (pending.remove(replyAddress) != null) {
                        reply.tryFail(new ReplyException(ReplyFailure.TIMEOUT, "no answer within " + timeout + " ms"));
                    }
                });
                write(new JsonObject().put("type", "send").put("address", address).put("replyAddress", replyAddress)
                        .put("headers", new JsonObject(Map.copyOf(headers))).put("body", body), reply);
                return reply.future();
            }

            @Override
            public Future<Void> subscribe(String address, Handler<JsonObject> handler) {
                subscriptions.put(address, handler);
                // the bridge does not acknowledge a registration: written is all the client can know
                return writeFrame(socket, new JsonObject().put("type", "register").put("address", address));
            }

            @Override
            public boolean signs() {
                return false;
            }

            @Override
            public void close() {
                socket.close();
                vertx.close();
            }
        };
    }

    private static Future<Void> writeFrame(NetSocket socket, JsonObject frame) {
        Buffer bytes = frame.toBuffer();
        return socket.write(Buffer.buffer().appendInt(bytes.length()).appendBuffer(bytes));
    }

    /** The headers that sign a request as the client's certificate, when the way in needs them. */
    static Map<String, String> signature(Bus bus, BusSignature signer, String operation, Object body) throws Exception {
        if (!bus.signs() || signer == null) {
            return Map.of();
        }
        JsonObject json;
        try {
            json = body instanceof JsonObject object ? object : new JsonObject(String.valueOf(body));
        } catch (RuntimeException e) {
            return Map.of(); // not a JSON object: sent unsigned, the agent refuses it as malformed
        }
        return signer.sign(operation, json);
    }
}
