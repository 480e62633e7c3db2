package io.haul.eventbus;

import io.haul.cluster.AgentCertificates;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import javax.security.auth.x500.X500Principal;

/**
 * The signature on a request that starts or cancels a migration. The clustered event bus authenticates members
 * (TLS with certificates of the cluster CA) but tells a consumer nothing about who sent a message, so an operation
 * carries its sender's proof in headers: the sender's certificate, and its signature, made with the certificate's
 * key, over the operation, a time, a nonce and the body in a canonical form (keys sorted, no blanks). The agent
 * that carries the operation out checks the certificate against the cluster CA, the signature, the time (within a
 * few minutes of its clock) and that it has not seen the nonce before; the certificate's subject CN is the
 * principal whose role the configuration decides. An agent may sign on behalf of another principal (the TCP
 * bridge does, for the client certificate it verified): {@link #ON_BEHALF_OF} then names the principal.
 */
public final class BusSignature {

    /** Header: the signer's certificate, base64 of its DER. */
    public static final String SIGNER = "haul-signer";
    /** Header: base64 of the signature over {@link #signedText}. */
    public static final String SIGNATURE = "haul-signature";
    /** Header: when the request was signed, milliseconds since the epoch. */
    public static final String ISSUED = "haul-issued";
    /** Header: a random value the signer uses once. */
    public static final String NONCE = "haul-nonce";
    /** Header: the principal an agent signed for, absent when the signer is the principal. */
    public static final String ON_BEHALF_OF = "haul-on-behalf-of";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey key;

    private BusSignature(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    /** A signer with a certificate and its PKCS#8 key, as make-certs.sh writes them ({@code agent.pem, agent.key}). */
    public static BusSignature load(Path certificatePem, Path privateKeyPem) throws IOException, GeneralSecurityException {
        X509Certificate certificate = certificate(Files.readString(certificatePem));
        PrivateKey key = AgentCertificates.privateKey(Files.readString(privateKeyPem), certificate);
        return new BusSignature(certificate, key);
    }

    /** The signer's principal: its certificate's subject CN. */
    public String principal() {
        return commonName(certificate);
    }

    /** The headers that sign {@code body} as the {@code operation} (an address of {@link BusApi#OPERATIONS}). */
    public Map<String, String> sign(String operation, JsonObject body) throws GeneralSecurityException {
        return sign(operation, body, "");
    }

    /** The same, signed by an agent for {@code onBehalfOf}, whose own proof it checked. */
    public Map<String, String> sign(String operation, JsonObject body, String onBehalfOf) throws GeneralSecurityException {
        String issued = Long.toString(System.currentTimeMillis());
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String nonceText = HexFormat.of().formatHex(nonce);
        Signature signature = Signature.getInstance(algorithm(certificate));
        signature.initSign(key);
        signature.update(signedText(operation, issued, nonceText, onBehalfOf, body).getBytes(StandardCharsets.UTF_8));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(SIGNER, Base64.getEncoder().encodeToString(certificate.getEncoded()));
        headers.put(SIGNATURE, Base64.getEncoder().encodeToString(signature.sign()));
        headers.put(ISSUED, issued);
        headers.put(NONCE, nonceText);
        if (!onBehalfOf.isEmpty()) {
            headers.put(ON_BEHALF_OF, onBehalfOf);
        }
        return headers;
    }

    /**
     * What a checked signature proves.
     *
     * @param signer     the signer certificate's subject CN
     * @param onBehalfOf the principal it signed for, or "" when itself
     * @param nonce      the nonce, for the verifier's replay check
     * @param issued     when it was signed
     */
    public record Verified(String signer, String onBehalfOf, String nonce, Instant issued) {
    }

    /**
     * Checks the signature headers of an operation: the certificate is one the CA issued and valid now, the
     * signature is its key's over this operation and body. The time window and the nonce are the caller's to check.
     *
     * @throws GeneralSecurityException naming what does not hold
     */
    public static Verified verify(String operation, JsonObject body, Function<String, String> headers, X509Certificate ca)
            throws GeneralSecurityException {
        String signer = headers.apply(SIGNER);
        String signed = headers.apply(SIGNATURE);
        String issued = headers.apply(ISSUED);
        String nonce = headers.apply(NONCE);
        if (signer == null || signed == null || issued == null || nonce == null) {
            throw new GeneralSecurityException("the request carries no signature (headers " + SIGNER + ", " + SIGNATURE
                    + ", " + ISSUED + ", " + NONCE + ")");
        }
        String onBehalfOf = headers.apply(ON_BEHALF_OF) == null ? "" : headers.apply(ON_BEHALF_OF);
        X509Certificate certificate;
        Instant at;
        try {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(signer)));
            at = Instant.ofEpochMilli(Long.parseLong(issued));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("unreadable signature headers: " + e.getMessage(), e);
        }
        certificate.verify(ca.getPublicKey()); // issued by the cluster CA
        certificate.checkValidity();
        Signature signature = Signature.getInstance(algorithm(certificate));
        signature.initVerify(certificate.getPublicKey());
        signature.update(signedText(operation, issued, nonce, onBehalfOf, body).getBytes(StandardCharsets.UTF_8));
        boolean valid;
        try {
            valid = signature.verify(Base64.getDecoder().decode(signed));
        } catch (IllegalArgumentException e) {
            valid = false;
        }
        if (!valid) {
            throw new GeneralSecurityException("the signature does not match the request");
        }
        return new Verified(commonName(certificate), onBehalfOf, nonce, at);
    }

    /** What is signed: a fixed prefix, the operation, time, nonce, principal and the canonical body, one a line. */
    static String signedText(String operation, String issued, String nonce, String onBehalfOf, JsonObject body) {
        return "haul-bus-signature-1\n" + operation + "\n" + issued + "\n" + nonce + "\n" + onBehalfOf + "\n"
                + canonical(body);
    }

    /** The JSON of a value with every object's keys sorted and no blanks: the same text on both sides. */
    static String canonical(Object value) {
        if (value instanceof JsonObject object) {
            return canonical(object.getMap());
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> sorted = new TreeMap<>();
            map.forEach((k, v) -> sorted.put(String.valueOf(k), v));
            List<String> members = new ArrayList<>();
            sorted.forEach((k, v) -> members.add(Json.encode(k) + ":" + canonical(v)));
            return "{" + String.join(",", members) + "}";
        }
        if (value instanceof JsonArray array) {
            return canonical(array.getList());
        }
        if (value instanceof List<?> list) {
            List<String> items = new ArrayList<>();
            list.forEach(v -> items.add(canonical(v)));
            return "[" + String.join(",", items) + "]";
        }
        return Json.encode(value);
    }

    /** The subject CN of a certificate, or its whole subject when it has not exactly one. */
    public static String commonName(X509Certificate certificate) {
        return AgentCertificates.commonName(certificate)
                .orElseGet(() -> certificate.getSubjectX500Principal().getName(X500Principal.RFC2253));
    }

    /** The first certificate of a PEM text. */
    public static X509Certificate certificate(String pem) throws GeneralSecurityException {
        return AgentCertificates.certificate(pem);
    }

    private static String algorithm(X509Certificate certificate) {
        return AgentCertificates.signatureAlgorithm(certificate);
    }
}
