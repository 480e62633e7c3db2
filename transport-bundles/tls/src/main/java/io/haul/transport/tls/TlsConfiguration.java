package io.haul.transport.tls;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the TLS transport, PID {@code haul.transport.tls} ({@code etc/haul.transport.tls.cfg} in
 * the state folder). Paths left empty point into the state folder's {@code tls/}, where
 * {@code runtime/setup/make-certs.sh} writes an agent's certificates.
 */
@ObjectClassDefinition(id = TlsConfiguration.PID, name = "Haul TLS transport",
        description = "TCP with TLS 1.3 and mutual authentication between agents: each agent proves its name with a "
                + "certificate of the cluster CA (subject CN = agent name) and trusts nothing else.")
@interface TlsConfiguration {

    String PID = "haul.transport.tls";

    @AttributeDefinition(name = "Cluster CA certificate", required = false,
            description = "PEM file of the cluster CA, the only issuer whose certificates this agent accepts from its "
                    + "peers. Empty: <state folder>/tls/ca.pem.")
    String caCert() default "";

    @AttributeDefinition(name = "Agent certificate", required = false,
            description = "PEM file of this agent's certificate, signed by the cluster CA, whose subject CN is the "
                    + "agent's name. Empty: <state folder>/tls/agent.pem.")
    String certificate() default "";

    @AttributeDefinition(name = "Agent private key", required = false,
            description = "PEM file (PKCS#8) of this agent's private key; keep it mode 0600. Empty: "
                    + "<state folder>/tls/agent.key.")
    String privateKey() default "";

    @AttributeDefinition(name = "Port", min = "0", max = "65535",
            description = "TCP port the agent listens on for other agents (listen() with no address).")
    int port() default TlsSettings.DEFAULT_PORT;

    @AttributeDefinition(name = "Bind address",
            description = "Local address the agent listens on (listen() with no address); 0.0.0.0 is every IPv4 address.")
    String bindAddress() default TlsSettings.DEFAULT_BIND_ADDRESS;
}
