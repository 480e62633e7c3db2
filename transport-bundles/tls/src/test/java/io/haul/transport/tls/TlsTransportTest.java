package io.haul.transport.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.transport.Connection;
import io.haul.api.transport.Transport;
import io.haul.transport.testkit.TransportContract;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The TLS transport against the transport contract, with certificates that runtime/setup/make-certs.sh makes,
 * plus what only a network transport must withstand: clients without a valid certificate, and bytes that
 * are not TLS at all.
 */
class TlsTransportTest extends TransportContract {

    @TempDir
    static Path certs;
    private static final Map<String, Path> AGENTS = new ConcurrentHashMap<>();

    private ListAppender<ILoggingEvent> log;

    /** The Vert.x every transport of these tests runs on, as an agent's transports run on the agent's. */
    private static Vertx VERTX;

    @BeforeAll
    static void needsOpenssl() throws Exception {
        boolean openssl;
        try {
            openssl = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException e) {
            openssl = false;
        }
        assumeTrue(openssl, "openssl is not installed: the TLS transport's tests need it to make certificates");
        VERTX = Vertx.vertx();
    }

    @AfterAll
    static void closeVertx() throws Exception {
        if (VERTX != null) {
            VERTX.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @BeforeEach
    void captureLog() {
        log = new ListAppender<>();
        log.start();
        ((Logger) LoggerFactory.getLogger(TlsTransport.class)).addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        ((Logger) LoggerFactory.getLogger(TlsTransport.class)).detachAppender(log);
    }

    /** An agent's folder made by make-certs.sh, signed by {@code caName}'s CA. */
    static Path agent(String caName, String agentName) throws Exception {
        return AGENTS.computeIfAbsent(caName + "/" + agentName, key -> {
            Path out = certs.resolve("agents").resolve(caName).resolve(agentName);
            try {
                makeCerts(certs.resolve("ca").resolve(caName), agentName, out);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
            return out;
        });
    }

    static void makeCerts(Path caDir, String agentName, Path out) throws Exception {
        String script = System.getProperty("haul.make-certs", "../../runtime/setup/make-certs.sh");
        ProcessBuilder builder = new ProcessBuilder("bash", script, caDir.toString(), agentName, out.toString())
                .redirectErrorStream(true);
        builder.environment().put("HAUL_CERT_IPS", "127.0.0.1");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), "make-certs.sh: " + output);
    }

    @Override
    protected Transport newTransport(String agentName) throws Exception {
        return new TlsTransport(TlsSettings.inFolder(agent("cluster", agentName)), VERTX);
    }

    @Override
    protected void stop(Transport transport) {
        ((TlsTransport) transport).deactivate();
    }

    @Override
    protected void sendRawFrameHeader(Connection connection, int claimedBytes) throws Exception {
        TlsTransport.sendRawHeader(connection, claimedBytes);
    }

    private List<String> warnings() {
        return log.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    private String awaitWarning(String containing) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < until) {
            for (String line : warnings()) {
                if (line.contains(containing)) {
                    return line;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no WARN line containing '" + containing + "' in " + warnings());
    }

    // ---- clients that must never become a connection ------------------------------------------------

    @Test
    void aClientWhoseCaIsAnotherIsRefused() throws Exception {
        Server server = server();
        // a "beta" of another cluster: it trusts its own CA only, so it already refuses the server
        Transport foreign = new TlsTransport(TlsSettings.inFolder(agent("other", CLIENT)), VERTX);
        try {
            HaulException refused = assertThrows(HaulException.class, () -> foreign.connect(server.address(), SERVER));
            assertEquals("transport.handshake-failed", refused.code(), refused.getMessage());
        } finally {
            ((TlsTransport) foreign).deactivate();
        }
        String warning = awaitWarning("refused a connection from 127.0.0.1:");
        assertNull(server.accepted.poll(300, TimeUnit.MILLISECONDS), "the server handed over no connection");
        System.out.println("server said: " + warning);
    }

    @Test
    void aClientWithACertificateOfAnotherCaIsRefusedByTheServer() throws Exception {
        Server server = server();
        // trusts the cluster CA (so it accepts the server) but proves itself with another CA's certificate
        Path rogue = certs.resolve("rogue-other-ca");
        Files.createDirectories(rogue);
        Files.copy(agent("cluster", SERVER).resolve("ca.pem"), rogue.resolve("ca.pem"));
        Files.copy(agent("other", CLIENT).resolve("agent.pem"), rogue.resolve("agent.pem"));
        Files.copy(agent("other", CLIENT).resolve("agent.key"), rogue.resolve("agent.key"));
        assertRefusedByServer(server, rogue);
    }

    @Test
    void aClientWithASelfSignedCertificateIsRefusedByTheServer() throws Exception {
        Server server = server();
        Path rogue = certs.resolve("rogue-self-signed");
        Files.createDirectories(rogue);
        Files.copy(agent("cluster", SERVER).resolve("ca.pem"), rogue.resolve("ca.pem"));
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=" + CLIENT, "-days", "1",
                "-keyout", rogue.resolve("agent.key").toString(), "-out", rogue.resolve("agent.pem").toString())
                .redirectErrorStream(true).start();
        openssl.getInputStream().readAllBytes();
        assertEquals(0, openssl.waitFor());
        assertRefusedByServer(server, rogue);
    }

    /**
     * The server's CertificateRequest names the cluster CA as the one acceptable issuer, so a JDK client whose
     * certificate has another issuer sends none: the server sees "no certificate", or "not signed by the
     * cluster CA" from a client that sends it anyway.
     */
    private void assertRefusedByServer(Server server, Path clientFolder) throws Exception {
        Transport rogue = new TlsTransport(TlsSettings.inFolder(clientFolder), VERTX);
        try {
            HaulException refused = assertThrows(HaulException.class, () -> rogue.connect(server.address(), SERVER));
            assertTrue(refused.code().equals("transport.refused") || refused.code().equals("transport.handshake-failed"),
                    refused.code() + ": " + refused.getMessage());
            System.out.println("client got: " + refused.code() + ": " + refused.getMessage());
        } finally {
            ((TlsTransport) rogue).deactivate();
        }
        String warning = awaitWarning("refused a connection from 127.0.0.1:");
        assertTrue(warning.contains("no certificate") || warning.contains("not signed by the cluster CA"), warning);
        assertNull(server.accepted.poll(300, TimeUnit.MILLISECONDS), "the server handed over no connection");
        System.out.println("server said: " + warning);
    }

    @Test
    void aClientWithoutACertificateIsRefused() throws Exception {
        Server server = server();
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(null, trustCluster(), new SecureRandom()); // no key manager: no client certificate
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.address().getPort())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.3"});
            socket.setSoTimeout(10_000);
            assertThrows(IOException.class, () -> {
                socket.startHandshake(); // in TLS 1.3 the client may finish before the server refuses
                socket.getOutputStream().write(preamble('C'));
                socket.getOutputStream().flush();
                if (socket.getInputStream().read() == -1) {
                    throw new IOException("closed");
                }
            });
        }
        String warning = awaitWarning("refused a connection from 127.0.0.1:");
        assertTrue(warning.contains("no certificate"), warning);
        assertNull(server.accepted.poll(300, TimeUnit.MILLISECONDS), "the server handed over no connection");
        System.out.println("server said: " + warning);
    }

    @Test
    void aTlsPeerThatIsNotAHaulTransportIsClosed() throws Exception {
        Server server = server();
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keysOf(agent("cluster", CLIENT)), trustCluster(), new SecureRandom());
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.address().getPort())) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            try {
                assertEquals(-1, socket.getInputStream().read(), "the server closes the connection");
            } catch (IOException closed) {
                // also closed
            }
        }
        assertTrue(awaitWarning("not a Haul transport peer").contains("127.0.0.1:"));
        assertNull(server.accepted.poll(300, TimeUnit.MILLISECONDS));
    }

    @Test
    void bytesThatAreNotTlsGetTheConnectionClosedAndTheServerGoesOn() throws Exception {
        Server server = server();
        byte[] noise = new byte[1024];
        new SecureRandom().nextBytes(noise);
        noise[0] = 0x42; // not a TLS record type
        try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(noise);
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            try {
                while (in.read() != -1) {
                    // whatever the server answers (an alert), it must then close
                }
            } catch (IOException reset) {
                // closed too
            }
        }
        String warning = awaitWarning("does not speak TLS");
        assertTrue(warning.contains("127.0.0.1:"), warning);
        assertNull(server.accepted.poll(200, TimeUnit.MILLISECONDS));
        // and a real client still gets in
        Connection client = closeLater(transport(CLIENT).connect(server.address(), SERVER));
        Connection accepted = server.nextAccepted();
        client.send("hi".getBytes(StandardCharsets.UTF_8));
        assertEquals("hi", new String(accepted.receive(Duration.ofSeconds(10)), StandardCharsets.UTF_8));
    }

    // ---- configuration ------------------------------------------------------------------------------

    @Test
    void missingCertificatesMakeItUnusableAndSayHowToFixIt(@TempDir Path empty) throws Exception {
        TlsTransport transport = new TlsTransport(TlsSettings.inFolder(empty.resolve("tls")), VERTX);
        try {
            Usability usability = transport.usability();
            assertFalse(usability.usable());
            assertTrue(usability.reason().contains(empty.resolve("tls").resolve("ca.pem").toString()), usability.reason());
            assertTrue(usability.reason().contains("./haul"), usability.reason());
            HaulException unusable = assertThrows(HaulException.class,
                    () -> transport.listen(new InetSocketAddress("127.0.0.1", 0), c -> { }));
            assertEquals("transport.unusable", unusable.code());
            assertThrows(HaulException.class, () -> transport.connect(new InetSocketAddress("127.0.0.1", 1), SERVER));
        } finally {
            transport.deactivate();
        }
    }

    @Test
    void usableWithTheCertificatesMakeCertsWrote() throws Exception {
        assertTrue(transport(SERVER).usability().usable());
    }

    @Test
    void defaultsComeFromTheStateFolder() {
        TlsConfiguration defaults = (TlsConfiguration) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {TlsConfiguration.class}, (proxy, method, args) -> method.getDefaultValue());
        TlsSettings settings = TlsSettings.of(defaults, "/srv/haul");
        assertEquals(Path.of("/srv/haul/tls/ca.pem"), settings.caCert());
        assertEquals(Path.of("/srv/haul/tls/agent.pem"), settings.certificate());
        assertEquals(Path.of("/srv/haul/tls/agent.key"), settings.privateKey());
        assertEquals(7077, settings.port());
        assertEquals("0.0.0.0", settings.bindAddress());
        assertEquals(Path.of("/var/lib/haul/tls/ca.pem"), TlsSettings.of(defaults, null).caCert());
    }

    @Test
    void makeCertsIsIdempotent() throws Exception {
        Path out = agent("cluster", "idem");
        byte[] before = Files.readAllBytes(out.resolve("agent.pem"));
        makeCerts(certs.resolve("ca").resolve("cluster"), "idem", out);
        assertEquals(new String(before, StandardCharsets.US_ASCII),
                Files.readString(out.resolve("agent.pem"), StandardCharsets.US_ASCII), "kept the current certificate");
        assertEquals(Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(out.resolve("agent.key")));
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static byte[] preamble(char kind) {
        byte[] p = new byte[Wire.PREAMBLE_BYTES];
        p[0] = 'H';
        p[1] = 'A';
        p[2] = 'U';
        p[3] = 'L';
        p[4] = Wire.VERSION;
        p[5] = (byte) kind;
        return p;
    }

    private static javax.net.ssl.TrustManager[] trustCluster() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", certificate(agent("cluster", SERVER).resolve("ca.pem")));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }

    private static javax.net.ssl.KeyManager[] keysOf(Path folder) throws Exception {
        String pem = Files.readString(folder.resolve("agent.key"));
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("agent", key, new char[0], new Certificate[] {certificate(folder.resolve("agent.pem"))});
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, new char[0]);
        return factory.getKeyManagers();
    }

    private static Certificate certificate(Path pem) throws Exception {
        return CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pem)));
    }
}
