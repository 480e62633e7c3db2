package io.haul.vertx.internal;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The clustered event bus's TLS material and port, from {@link VertxConfiguration}: each member's event bus is a
 * TLS 1.3 server that requires a client certificate of the cluster CA, and connects to the others with its own.
 */
record EventBusSettings(Path caCert, Path certificate, Path privateKey, int port) {

    static final int DEFAULT_PORT = 7078;
    /** Framework property the launcher sets to the agent's state folder. */
    static final String STATE_PROPERTY = "haul.state";
    static final String DEFAULT_STATE = "/var/lib/haul";

    static EventBusSettings of(VertxConfiguration config, String stateDir) {
        Path tls = Path.of(stateDir == null || stateDir.isBlank() ? DEFAULT_STATE : stateDir).resolve("tls");
        return new EventBusSettings(path(config.caCert(), tls.resolve("ca.pem")),
                path(config.certificate(), tls.resolve("agent.pem")), path(config.privateKey(), tls.resolve("agent.key")),
                config.eventBusPort());
    }

    private static Path path(String configured, Path fallback) {
        return configured == null || configured.isBlank() ? fallback : Path.of(configured.trim());
    }

    /** Why the event bus cannot be clustered with these files, or null when it can. */
    String missing() {
        for (Path file : new Path[] {caCert, certificate, privateKey}) {
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                return file + " is missing or unreadable (runtime/setup/make-certs.sh makes the agent's certificates)";
            }
        }
        return null;
    }

    /** The event bus's options: TLS 1.3 both ways, client certificates required and checked against the CA. */
    EventBusOptions options(String host) throws IOException {
        return new EventBusOptions()
                .setHost(host)
                .setPort(port)
                .setClusterPublicHost(host)
                .setSsl(true)
                .setClientAuth(ClientAuth.REQUIRED)
                .setEnabledSecureTransportProtocols(Set.of("TLSv1.3"))
                .setSslHandshakeTimeout(10)
                .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS)
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertValue(Buffer.buffer(Files.readAllBytes(certificate)))
                        .setKeyValue(Buffer.buffer(Files.readAllBytes(privateKey))))
                .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(Files.readAllBytes(caCert))));
    }
}
