package io.haul.cluster.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The settings a member starts with: the {@code haul.cluster} configuration, plus Hazelcast properties passed
 * through as they are.
 *
 * @param clusterName        the Hazelcast cluster name
 * @param port               the member's port
 * @param bindAddress        the IP to bind to and announce, or empty for Hazelcast's choice
 * @param members            {@code host[:port]} of the members to join; empty for a cluster of one
 * @param joinTimeoutSeconds how long to look for them before starting alone
 * @param hazelcastProperties extra {@code hazelcast.*} properties
 * @param keptRecords        how many ended migrations' records the agent keeps (on its disk and in the cluster)
 */
public record ClusterSettings(String clusterName, int port, String bindAddress, List<String> members,
        int joinTimeoutSeconds, Map<String, String> hazelcastProperties, int keptRecords) {

    /** The default of {@code keptRecords}. */
    public static final int KEPT_RECORDS = 1000;

    public ClusterSettings(String clusterName, int port, String bindAddress, List<String> members,
            int joinTimeoutSeconds, Map<String, String> hazelcastProperties) {
        this(clusterName, port, bindAddress, members, joinTimeoutSeconds, hazelcastProperties, KEPT_RECORDS);
    }

    public ClusterSettings {
        if (clusterName == null || clusterName.isBlank()) {
            throw new IllegalArgumentException("the cluster needs a name");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1 to 65535, was " + port);
        }
        if (joinTimeoutSeconds < 1) {
            throw new IllegalArgumentException("join timeout must be at least 1 s, was " + joinTimeoutSeconds);
        }
        if (keptRecords < 1) {
            throw new IllegalArgumentException("keptRecords must be at least 1, was " + keptRecords);
        }
        bindAddress = bindAddress == null ? "" : bindAddress.strip();
        members = List.copyOf(members);
        hazelcastProperties = Map.copyOf(hazelcastProperties);
    }

    /** The settings of a configuration; {@code properties} are the component's, for the {@code hazelcast.*} ones. */
    static ClusterSettings of(ClusterConfiguration config, Map<String, ?> properties) {
        Map<String, String> hazelcast = new TreeMap<>();
        properties.forEach((key, value) -> {
            if (key.startsWith("hazelcast.") && value != null) {
                hazelcast.put(key, String.valueOf(value));
            }
        });
        return new ClusterSettings(config.clusterName(), config.port(), config.bindAddress(),
                parseMembers(config.members()), config.joinTimeoutSeconds(), hazelcast, config.keptRecords());
    }

    /** Splits a comma- (or blank-) separated member list. */
    static List<String> parseMembers(String members) {
        return members == null ? List.of()
                : Arrays.stream(members.split("[,\\s]+")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** Whether the member looks for others at all. */
    public boolean alone() {
        return members.isEmpty();
    }

    @Override
    public String toString() {
        return "cluster " + clusterName + (alone() ? " (alone)" : " members " + members) + ", port " + port
                + (bindAddress.isEmpty() ? "" : ", bound to " + bindAddress)
                + (hazelcastProperties.isEmpty() ? "" : ", " + hazelcastProperties);
    }
}
