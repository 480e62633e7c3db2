package io.haul.itests;

import io.haul.protocol.v1.Envelope;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
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
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A peer of an agent's migration port spoken to by hand, with the JDK's TLS: what the TLS transport
 * (transport-bundles/tls, {@code Wire}) puts on the wire, without the transport's care. Two TLS connections,
 * control and bulk, each opened with a preamble ({@code "HAUL"}, version 1, kind {@code 'C'} or {@code 'B'},
 * a 16-byte token that pairs them); the server answers {@code "HAUL"}, 1, {@code 'K'} on the control connection
 * once both arrived. Control frames: a 4-byte big-endian length, then an {@link Envelope}. The bulk connection
 * carries the bulk stream's bytes.
 */
public final class RawPeer implements AutoCloseable {

    static final int MAGIC = 0x4841554C; // "HAUL"
    static final int TIMEOUT_MILLIS = 15_000;

    private final SSLSocket control;
    private final SSLSocket bulk;
    private final DataOutputStream controlOut;
    private final DataInputStream controlIn;
    private final DataOutputStream bulkOut;

    private RawPeer(SSLSocket control, SSLSocket bulk) throws IOException {
        this.control = control;
        this.bulk = bulk;
        this.controlOut = new DataOutputStream(control.getOutputStream());
        this.controlIn = new DataInputStream(control.getInputStream());
        this.bulkOut = new DataOutputStream(bulk.getOutputStream());
    }

    /** A TLS 1.3 context that trusts {@code caPem} and, when {@code certPem} is given, proves that certificate. */
    public static SSLContext context(Path caPem, Path certPem, Path keyPem) throws Exception {
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trust.setCertificateEntry("ca", x509.generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.KeyManager[] keyManagers = null;
        if (certPem != null) {
            Certificate[] chain;
            try (InputStream in = Files.newInputStream(certPem)) {
                chain = x509.generateCertificates(in).toArray(Certificate[]::new);
            }
            String pem = Files.readString(keyPem, StandardCharsets.US_ASCII);
            String base64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(
                    new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("agent", key, new char[0], chain);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
            keyManagers = new javax.net.ssl.KeyManager[] {new Insistent((X509ExtendedKeyManager) kmf.getKeyManagers()[0])};
        }
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keyManagers, tmf.getTrustManagers(), new SecureRandom());
        return context;
    }

    /**
     * Presents its certificate whatever CAs the server asks for. The JDK's own key manager offers only a
     * certificate of a CA the server names, and would send none at all for one of a foreign CA.
     */
    private static final class Insistent extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager keys;

        Insistent(X509ExtendedKeyManager keys) {
            this.keys = keys;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers, SSLEngine engine) {
            return "agent";
        }

        @Override
        public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, Socket socket) {
            return "agent";
        }

        @Override
        public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
            return new String[] {"agent"};
        }

        @Override
        public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
            return keys.getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, java.security.Principal[] issuers, Socket socket) {
            return keys.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public java.security.cert.X509Certificate[] getCertificateChain(String alias) {
            return keys.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys.getPrivateKey(alias);
        }
    }

    /** A TLS connection whose handshake the client side completed (the server may still refuse it after). */
    public static SSLSocket tls(SSLContext context, InetSocketAddress where) throws IOException {
        Socket plain = new Socket();
        plain.connect(where, TIMEOUT_MILLIS);
        plain.setSoTimeout(TIMEOUT_MILLIS);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, where.getHostString(),
                where.getPort(), true);
        socket.setEnabledProtocols(new String[] {"TLSv1.3"});
        socket.setUseClientMode(true);
        socket.startHandshake();
        return socket;
    }

    /** Opens both connections, pairs them, and waits for the server's acceptance. */
    public static RawPeer connect(SSLContext context, InetSocketAddress where) throws IOException {
        SSLSocket control = tls(context, where);
        SSLSocket bulk = tls(context, where);
        byte[] token = new byte[16];
        new SecureRandom().nextBytes(token);
        for (SSLSocket socket : new SSLSocket[] {control, bulk}) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(MAGIC);
            out.writeByte(1);
            out.writeByte(socket == control ? 'C' : 'B');
            out.write(token);
            out.flush();
        }
        RawPeer peer = new RawPeer(control, bulk);
        int magic = peer.controlIn.readInt();
        byte version = peer.controlIn.readByte();
        byte kind = peer.controlIn.readByte();
        if (magic != MAGIC || version != 1 || kind != 'K') {
            peer.close();
            throw new IOException("the agent did not accept the connection: " + Integer.toHexString(magic) + " "
                    + version + " " + (char) kind);
        }
        return peer;
    }

    public int controlLocalPort() {
        return control.getLocalPort();
    }

    public void send(Envelope envelope) throws IOException {
        byte[] bytes = envelope.toByteArray();
        controlOut.writeInt(bytes.length);
        controlOut.write(bytes);
        controlOut.flush();
    }

    /** A frame header claiming {@code length} bytes, and nothing after it. */
    public void sendLength(int length) throws IOException {
        controlOut.writeInt(length);
        controlOut.flush();
    }

    /** The next control frame, decoded. */
    public Envelope receive() throws IOException {
        int length = controlIn.readInt();
        if (length < 0 || length > (4 << 20)) {
            throw new IOException("the agent sent a frame header of " + length + " bytes");
        }
        byte[] frame = controlIn.readNBytes(length);
        if (frame.length < length) {
            throw new EOFException("the connection ended inside a frame");
        }
        return Envelope.parseFrom(new ByteArrayInputStream(frame));
    }

    public DataOutputStream bulk() {
        return bulkOut;
    }

    /** Whether the agent closed the control connection (end of stream, or a reset) within the socket timeout. */
    public boolean controlClosedByAgent() {
        return closedByPeer(control);
    }

    /** Reads until the peer closes the socket; true if it did within the timeout, false if it kept it open. */
    public static boolean closedByPeer(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            while (in.read(buffer) >= 0) {
                // whatever it still sends (a TLS alert is an exception, not data)
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset, or a TLS alert: the agent ended it
        }
    }

    @Override
    public void close() {
        for (Socket socket : new Socket[] {control, bulk}) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
