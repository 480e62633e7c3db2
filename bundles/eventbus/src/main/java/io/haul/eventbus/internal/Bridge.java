package io.haul.eventbus.internal;

import io.haul.eventbus.BusApi;
import io.haul.eventbus.BusSignature;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.eventbus.bridge.tcp.BridgeEvent;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Vert.x TCP event-bus bridge for services outside the cluster: TLS 1.3, a client certificate of the cluster CA
 * required before any frame is read, sends allowed to Haul's request addresses only and subscriptions to its event
 * addresses only. The client's principal is its certificate's subject CN: for a start or a cancel the bridge replaces
 * whatever signature the frame carries with this agent's, on behalf of that principal, and the agent that carries it
 * out decides the principal's role as for a member's ({@link Authorizer}). A publish to a request address is
 * refused (it would reach every agent).
 */
final class Bridge {

    private static final Logger LOG = LoggerFactory.getLogger(Bridge.class);
    /**
     * How long a client may take for its TLS handshake. The whole handshake counts, the client's part included: a
     * client JVM starting on a busy machine took over 10 s for it (EventBusIT at load 30), and a bridge that gave up
     * then closed a connection that client already took for made (in TLS 1.3 the client's part ends first). As long
     * as the clients wait for an answer (30 s), so that the bridge is never the first to give up.
     */
    static final int HANDSHAKE_SECONDS = 30;
    private static final Set<String> SIGNATURE_HEADERS = Set.of(BusSignature.SIGNER, BusSignature.SIGNATURE,
            BusSignature.ISSUED, BusSignature.NONCE, BusSignature.ON_BEHALF_OF);

    private final TcpEventBusBridge bridge;
    private final BusSignature agent;

    private Bridge(Vertx vertx, NetServerOptions server, BusSignature agent) {
        this.agent = agent;
        BridgeOptions permissions = new BridgeOptions();
        for (String address : BusApi.REQUESTS) {
            permissions.addInboundPermitted(new PermittedOptions().setAddress(address));
        }
        permissions.addOutboundPermitted(new PermittedOptions().setAddress(BusApi.EVENTS));
        permissions.addOutboundPermitted(new PermittedOptions()
                .setAddressRegex(Pattern.quote(BusApi.EVENTS + ".") + "[0-9a-f-]{1,64}"));
        this.bridge = TcpEventBusBridge.create(vertx, permissions, server, this::event);
    }

    static Bridge start(Vertx vertx, String host, int port, Path caCert, Path certificate, Path privateKey,
            BusSignature agent)
            throws Exception {
        NetServerOptions server = new NetServerOptions()
                .setHost(host)
                .setPort(port)
                .setSsl(true)
                .setClientAuth(ClientAuth.REQUIRED)
                .setEnabledSecureTransportProtocols(Set.of("TLSv1.3"))
                .setSslHandshakeTimeout(HANDSHAKE_SECONDS)
                .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS)
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertValue(Buffer.buffer(Files.readAllBytes(certificate)))
                        .setKeyValue(Buffer.buffer(Files.readAllBytes(privateKey))))
                .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(Files.readAllBytes(caCert))));
        Bridge started = new Bridge(vertx, server, agent);
        started.bridge.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return started;
    }

    void close() {
        try {
            bridge.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("closing the event-bus bridge: {}", e.toString());
        }
    }

    /** On the event loop: what a bridge client may do, and the principal on its operations. */
    private void event(BridgeEvent event) {
        BridgeEventType type = event.type();
        JsonObject raw = event.getRawMessage();
        String address = raw == null ? null : raw.getString("address");
        if (type == BridgeEventType.PUBLISH && BusApi.REQUESTS.contains(address)) {
            event.complete(false);
            return;
        }
        if (type == BridgeEventType.SEND && BusApi.OPERATIONS.contains(address)) {
            try {
                String principal = sign(event, raw, address);
                // the one trace of a bridge client's operation before the agent acts on it (or never answers)
                LOG.info("event-bus bridge: {} from {} at {} passed to the agents", address, principal,
                        event.socket().remoteAddress());
            } catch (SSLPeerUnverifiedException | GeneralSecurityException | RuntimeException e) {
                LOG.warn("event-bus bridge: refused {} from {}: {}", address, event.socket().remoteAddress(), e.toString());
                event.complete(false);
                return;
            }
        }
        event.complete(true);
    }

    /**
     * Signs the frame's body for the client's principal, in place (the bridge sends the frame it gave the handler).
     * A body that is not a JSON object is left unsigned: the agent refuses it as malformed before it looks for a
     * signature. Returns the principal it signed for.
     */
    private String sign(BridgeEvent event, JsonObject raw, String address) throws SSLPeerUnverifiedException,
            GeneralSecurityException {
        String principal = principal(event.socket().peerCertificates());
        JsonObject headers = raw.getJsonObject("headers");
        if (headers == null) {
            headers = new JsonObject();
            raw.put("headers", headers);
        }
        SIGNATURE_HEADERS.forEach(headers::remove);
        Object body = raw.getValue("body");
        JsonObject json;
        try {
            json = body instanceof JsonObject object ? object : body instanceof String text ? new JsonObject(text) : null;
        } catch (DecodeException e) {
            json = null;
        }
        if (json != null) {
            agent.sign(address, json, principal).forEach(headers::put);
        }
        return principal;
    }

    private static String principal(List<Certificate> chain) throws SSLPeerUnverifiedException {
        if (chain == null || chain.isEmpty() || !(chain.getFirst() instanceof X509Certificate leaf)) {
            throw new SSLPeerUnverifiedException("the bridge client presented no X.509 certificate");
        }
        return BusSignature.commonName(leaf);
    }
}
