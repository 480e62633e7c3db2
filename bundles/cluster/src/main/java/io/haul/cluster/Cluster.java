package io.haul.cluster;

import org.osgi.annotation.versioning.ProviderType;

/**
 * This agent's membership of the cluster (a DS service over an embedded Hazelcast member). Migration data
 * never travels through it: Hazelcast's open-source edition has no TLS, so it carries only records.
 */
@ProviderType
public interface Cluster {

    /** This agent's name, as other agents resolve it. */
    String localAgent();

    AgentRegistry agents();

    MigrationStore migrations();
}
