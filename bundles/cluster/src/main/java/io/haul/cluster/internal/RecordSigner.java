package io.haul.cluster.internal;

import io.haul.api.migration.MigrationRecord;
import io.haul.cluster.AgentCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Optional;

/**
 * Signs the records this agent writes with its key and checks the records others wrote, with the certificates
 * of the cluster CA that the mutual-TLS transport uses ({@code runtime/setup/make-certs.sh}: {@code ca.pem},
 * {@code agent.pem}, {@code agent.key}).
 *
 * <p>A record is trusted when its signer's certificate was issued by the cluster CA and is valid now, the
 * signature over its version number and text is that certificate's key's, and the signer (the certificate's
 * subject CN, the agent's name as the transport proves it) is the record's own source or destination: the
 * agents of the migration, and nobody else, decide its commit point and rollback. Whoever reaches Hazelcast
 * without such a key can write into the map but not a record any agent acts on.
 *
 * <p>{@link #unsigned()} is the signer of an agent that has no certificates (a cluster of one on a developer's
 * machine, the cluster bundle's own tests): it writes unsigned records and trusts unsigned ones, and says so when
 * it starts. It cannot migrate over the TLS transport anyway, which needs the same files.
 */
final class RecordSigner {

    /** Why a stored record is not one to act on. */
    static final class Untrusted extends Exception {
        Untrusted(String why) {
            super(why);
        }
    }

    private final X509Certificate ca;
    private final X509Certificate certificate;
    private final PrivateKey key;
    private final String encodedCertificate;

    private RecordSigner(X509Certificate ca, X509Certificate certificate, PrivateKey key) throws GeneralSecurityException {
        this.ca = ca;
        this.certificate = certificate;
        this.key = key;
        this.encodedCertificate = certificate == null ? "" : Base64.getEncoder().encodeToString(certificate.getEncoded());
    }

    /** The signer of an agent without certificates: unsigned records, written and trusted. */
    static RecordSigner unsigned() {
        try {
            return new RecordSigner(null, null, null);
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** The signer with the CA's certificate, this agent's certificate and its PKCS#8 key, all PEM. */
    static RecordSigner load(Path caPem, Path certificatePem, Path keyPem) throws IOException, GeneralSecurityException {
        X509Certificate ca = AgentCertificates.certificate(Files.readString(caPem));
        X509Certificate certificate = AgentCertificates.certificate(Files.readString(certificatePem));
        PrivateKey key = AgentCertificates.privateKey(Files.readString(keyPem), certificate);
        certificate.verify(ca.getPublicKey());
        return new RecordSigner(ca, certificate, key);
    }

    /** Whether records are signed and checked at all. */
    boolean signs() {
        return ca != null;
    }

    /** The name this agent signs as (its certificate's CN), empty when unsigned. */
    String signerName() {
        return certificate == null ? "" : AgentCertificates.commonName(certificate).orElse("");
    }

    /** The record as version {@code seq}, signed by this agent. */
    SignedRecord sign(long seq, String recordJson) {
        if (!signs()) {
            return new SignedRecord(seq, recordJson, "", "");
        }
        SignedRecord unsigned = new SignedRecord(seq, recordJson, encodedCertificate, "");
        try {
            Signature signature = Signature.getInstance(AgentCertificates.signatureAlgorithm(certificate));
            signature.initSign(key);
            signature.update(unsigned.signedText());
            return new SignedRecord(seq, recordJson, encodedCertificate,
                    Base64.getEncoder().encodeToString(signature.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a record with this agent's key: " + e.getMessage(), e);
        }
    }

    /**
     * The record inside a stored value, if this agent may act on it; else {@link Untrusted} naming why.
     *
     * @param stored the value as the map or the disk holds it
     */
    MigrationRecord verify(SignedRecord stored) throws Untrusted {
        MigrationRecord record;
        try {
            record = stored.record();
        } catch (RuntimeException e) {
            throw new Untrusted("its record does not read: " + e.getMessage());
        }
        if (!signs()) {
            return record;
        }
        if (!stored.signed()) {
            throw new Untrusted("it is not signed");
        }
        X509Certificate signer;
        try {
            signer = AgentCertificates.certificateOfBase64(stored.signer());
            signer.verify(ca.getPublicKey());
            signer.checkValidity();
        } catch (GeneralSecurityException e) {
            throw new Untrusted("its signer's certificate is not one of the cluster CA valid now: " + e.getMessage());
        }
        String name = AgentCertificates.commonName(signer).orElseThrow(() -> new Untrusted("its signer's certificate names no agent"));
        if (!name.equals(record.source()) && !name.equals(record.destination())) {
            throw new Untrusted("it is signed by " + name + ", neither its source " + record.source()
                    + " nor its destination " + record.destination());
        }
        boolean valid;
        try {
            Signature signature = Signature.getInstance(AgentCertificates.signatureAlgorithm(signer));
            signature.initVerify(signer.getPublicKey());
            signature.update(stored.signedText());
            valid = signature.verify(Base64.getDecoder().decode(stored.signature()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            valid = false;
        }
        if (!valid) {
            throw new Untrusted("its signature is not " + name + "'s over its text");
        }
        return record;
    }

    /**
     * A short statement this agent signs (that it loaded its records, that it asks for a cancel), as stored:
     * {@code text}, its certificate and the signature, one a line. Unsigned, the text alone.
     */
    String signNote(String text) {
        if (!signs()) {
            return text;
        }
        SignedRecord note = sign(0, text);
        return text + "\n" + note.signer() + "\n" + note.signature();
    }

    /**
     * The name of the agent (or operator: any holder of a certificate of the cluster CA) that signed the note
     * {@code text} as {@code stored}; empty when it is not such a note. Unsigned, whoever wrote the text.
     */
    Optional<String> noteSigner(String stored, String text) {
        if (stored == null) {
            return Optional.empty();
        }
        if (!signs()) {
            return stored.equals(text) ? Optional.of("") : Optional.empty();
        }
        String[] lines = stored.split("\n", -1);
        if (lines.length != 3 || !lines[0].equals(text)) {
            return Optional.empty();
        }
        SignedRecord note = new SignedRecord(0, text, lines[1], lines[2]);
        try {
            X509Certificate signer = AgentCertificates.certificateOfBase64(note.signer());
            signer.verify(ca.getPublicKey());
            signer.checkValidity();
            Signature signature = Signature.getInstance(AgentCertificates.signatureAlgorithm(signer));
            signature.initVerify(signer.getPublicKey());
            signature.update(note.signedText());
            return signature.verify(Base64.getDecoder().decode(note.signature())) ? AgentCertificates.commonName(signer) : Optional.empty();
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
