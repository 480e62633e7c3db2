package io.haul.cluster.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The cluster membership's configuration, PID {@code haul.cluster}: a {@code haul.cluster.cfg} file in the
 * state folder's {@code etc/} or any ConfigAdmin client. Without any, the agent is a cluster of its own
 * (no discovery at all), which is what one machine needs. A change restarts the member: this agent leaves
 * the cluster and joins again, and the container locks it held are released.
 *
 * <p>Properties whose names start with {@code hazelcast.} are handed to Hazelcast as they are (e.g.
 * {@code hazelcast.max.no.heartbeat.seconds}).
 */
@ObjectClassDefinition(id = ClusterConfiguration.PID, name = "Haul cluster",
        description = "How this agent's embedded Hazelcast member finds the other agents. Hazelcast's open-source "
                + "edition has no TLS: keep the members on a private interface (bindAddress).")
public @interface ClusterConfiguration {

    String PID = "haul.cluster";

    @AttributeDefinition(name = "Cluster name",
            description = "Members join only a cluster of the same name.")
    String clusterName() default "haul";

    @AttributeDefinition(name = "Port",
            description = "The member's TCP port. With members listed it is fixed; alone, the next free port is "
                    + "taken when it is in use.", min = "1", max = "65535")
    int port() default 5701;

    @AttributeDefinition(name = "Bind address",
            description = "The address (an IP of this host) the member binds to and announces. Empty: with "
                    + "members listed, Hazelcast picks an interface and listens on all of them; alone, loopback "
                    + "only. Set it to pin the member to a private interface.")
    String bindAddress() default "";

    @AttributeDefinition(name = "Members",
            description = "The other agents' members, comma-separated host[:port] (port default 5701); this "
                    + "member's own address may be listed too. Empty: a cluster of one, with no discovery at all "
                    + "(no multicast, no TCP join).")
    String members() default "";

    @AttributeDefinition(name = "Join timeout (seconds)",
            description = "How long the member looks for the listed members before it starts a cluster of its own.",
            min = "1")
    int joinTimeoutSeconds() default 5;

    @AttributeDefinition(name = "Kept records",
            description = "How many ended migrations the agent keeps the records of, on its disk "
                    + "(<state folder>/cluster/records.mv, a few KiB each) and in the cluster: the history "
                    + "haul:migrations shows. Migrations in flight are always kept.", min = "1")
    int keptRecords() default ClusterSettings.KEPT_RECORDS;

    @AttributeDefinition(name = "CA certificate",
            description = "PEM file of the cluster CA, which the signatures of the records are checked against. "
                    + "Empty: <state folder>/tls/ca.pem (the files the TLS transport uses).")
    String caCert() default "";

    @AttributeDefinition(name = "Certificate",
            description = "PEM file of this agent's certificate, whose key signs the records it writes. Empty: "
                    + "<state folder>/tls/agent.pem. Without the three files the agent writes and trusts unsigned "
                    + "records (a cluster of one on a developer's machine) and says so when it starts.")
    String certificate() default "";

    @AttributeDefinition(name = "Private key",
            description = "PEM file (PKCS#8) of this agent's private key. Empty: <state folder>/tls/agent.key.")
    String privateKey() default "";
}
