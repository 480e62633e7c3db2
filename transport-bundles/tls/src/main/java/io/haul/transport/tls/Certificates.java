package io.haul.transport.tls;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;

/** The agent name a peer proved: the subject CN of its certificate, which TLS verified against the cluster CA. */
final class Certificates {

    private Certificates() {
    }

    static String agentName(List<Certificate> chain) throws SSLPeerUnverifiedException {
        if (chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate leaf)) {
            throw new SSLPeerUnverifiedException("the peer presented no X.509 certificate");
        }
        String subject = leaf.getSubjectX500Principal().getName(X500Principal.RFC2253);
        List<String> names = new ArrayList<>();
        try {
            for (Rdn rdn : new LdapName(subject).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    names.add(String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException e) {
            throw new SSLPeerUnverifiedException("unreadable certificate subject " + subject);
        }
        if (names.size() != 1 || names.get(0).isBlank()) {
            throw new SSLPeerUnverifiedException("the certificate subject " + subject + " does not name one agent (CN)");
        }
        return names.get(0);
    }
}
