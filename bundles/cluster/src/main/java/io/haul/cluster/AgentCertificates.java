package io.haul.cluster;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * The certificates of the cluster CA as make-certs.sh writes them (PEM, keys in PKCS#8), read the one way every
 * signer of the cluster reads them: the records' ({@code bundles/cluster}) and the event bus's operations.
 */
public final class AgentCertificates {

    private AgentCertificates() {
    }

    /** The first certificate of a PEM text. */
    public static X509Certificate certificate(String pem) throws GeneralSecurityException {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem(pem, "CERTIFICATE")));
    }

    /** A certificate as base64 of its DER, as the signatures carry it. */
    public static X509Certificate certificateOfBase64(String der) throws GeneralSecurityException {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(der)));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("not base64: " + e.getMessage(), e);
        }
    }

    /** The PKCS#8 private key of a PEM text, for the certificate whose key it is. */
    public static PrivateKey privateKey(String pem, X509Certificate certificate) throws GeneralSecurityException {
        return KeyFactory.getInstance(certificate.getPublicKey().getAlgorithm())
                .generatePrivate(new PKCS8EncodedKeySpec(pem(pem, "PRIVATE KEY")));
    }

    /** The subject CN of a certificate (an agent's name), when it has exactly one. */
    public static Optional<String> commonName(X509Certificate certificate) {
        String subject = certificate.getSubjectX500Principal().getName(X500Principal.RFC2253);
        List<String> names = new ArrayList<>();
        try {
            for (Rdn rdn : new LdapName(subject).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    names.add(String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
        return names.size() == 1 && !names.getFirst().isBlank() ? Optional.of(names.getFirst()) : Optional.empty();
    }

    /** The signature algorithm for the certificate's key. */
    public static String signatureAlgorithm(X509Certificate certificate) {
        return switch (certificate.getPublicKey().getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> "SHA256with" + certificate.getPublicKey().getAlgorithm();
        };
    }

    private static byte[] pem(String text, String type) throws GeneralSecurityException {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = text.indexOf(begin);
        int to = from < 0 ? -1 : text.indexOf(end, from);
        if (from < 0 || to < 0) {
            throw new GeneralSecurityException("no " + type + " in the PEM text");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("the " + type + " is not base64: " + e.getMessage(), e);
        }
    }
}
