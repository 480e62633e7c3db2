package io.haul.transport.tls;

import io.haul.api.Usability;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the certificates are and where to listen by default; made from {@link TlsConfiguration}. */
record TlsSettings(Path caCert, Path certificate, Path privateKey, int port, String bindAddress) {

    static final int DEFAULT_PORT = 7077;
    static final String DEFAULT_BIND_ADDRESS = "0.0.0.0";
    /** Framework property the launcher sets to the agent's state folder. */
    static final String STATE_PROPERTY = "haul.state";
    static final String DEFAULT_STATE = "/var/lib/haul";

    static TlsSettings of(TlsConfiguration config, String stateDir) {
        Path tls = Path.of(stateDir == null || stateDir.isBlank() ? DEFAULT_STATE : stateDir).resolve("tls");
        return new TlsSettings(
                path(config.caCert(), tls.resolve("ca.pem")),
                path(config.certificate(), tls.resolve("agent.pem")),
                path(config.privateKey(), tls.resolve("agent.key")),
                config.port(),
                config.bindAddress().isBlank() ? DEFAULT_BIND_ADDRESS : config.bindAddress().trim());
    }

    /** The three files of an agent's folder as make-certs.sh writes it. */
    static TlsSettings inFolder(Path folder) {
        return new TlsSettings(folder.resolve("ca.pem"), folder.resolve("agent.pem"), folder.resolve("agent.key"),
                DEFAULT_PORT, DEFAULT_BIND_ADDRESS);
    }

    private static Path path(String configured, Path fallback) {
        return configured == null || configured.isBlank() ? fallback : Path.of(configured.trim());
    }

    InetSocketAddress defaultListenAddress() {
        return new InetSocketAddress(bindAddress, port);
    }

    Usability usability() {
        for (var file : new Object[][] {
            {caCert, "the cluster CA certificate"}, {certificate, "the agent's certificate"},
            {privateKey, "the agent's private key"}}) {
            Path path = (Path) file[0];
            String what = (String) file[1];
            if (!Files.exists(path)) {
                return Usability.no("TLS transport: " + what + " " + path + " is missing; `./haul agent` creates the "
                        + "agent's certificates (runtime/setup/make-certs.sh CA_DIR AGENT_NAME " + path.getParent() + ")");
            }
            if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                return Usability.no("TLS transport: " + what + " " + path + " is not a readable file");
            }
        }
        return Usability.yes();
    }
}
