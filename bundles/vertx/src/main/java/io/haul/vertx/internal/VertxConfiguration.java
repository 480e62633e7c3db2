package io.haul.vertx.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The agent's Vert.x, PID {@code haul.vertx} ({@code etc/haul.vertx.cfg}): where its clustered event bus listens
 * and the certificates it proves itself with. Paths left empty point into the state folder's {@code tls/}, where
 * {@code runtime/setup/make-certs.sh} writes the agent's certificates (the same the TLS transport uses).
 */
@ObjectClassDefinition(id = VertxConfiguration.PID, name = "Haul Vert.x",
        description = "The agent's one Vert.x instance, clustered through the agent's Hazelcast member: its event "
                + "bus speaks TLS 1.3 between members, and accepts only members with a certificate of the cluster CA.")
public @interface VertxConfiguration {

    String PID = "haul.vertx";

    @AttributeDefinition(name = "Event-bus port", min = "0", max = "65535",
            description = "TCP port of the clustered event bus, on the address the Hazelcast member is bound to. "
                    + "0: any free port (other members learn it through Hazelcast).")
    int eventBusPort() default EventBusSettings.DEFAULT_PORT;

    @AttributeDefinition(name = "Cluster CA certificate", required = false,
            description = "PEM file of the cluster CA, the only issuer whose members this event bus talks to. "
                    + "Empty: <state folder>/tls/ca.pem.")
    String caCert() default "";

    @AttributeDefinition(name = "Agent certificate", required = false,
            description = "PEM file of this agent's certificate, signed by the cluster CA. Empty: "
                    + "<state folder>/tls/agent.pem.")
    String certificate() default "";

    @AttributeDefinition(name = "Agent private key", required = false,
            description = "PEM file (PKCS#8) of this agent's private key. Empty: <state folder>/tls/agent.key.")
    String privateKey() default "";
}
