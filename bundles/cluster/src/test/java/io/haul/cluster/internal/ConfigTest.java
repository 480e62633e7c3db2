package io.haul.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Hazelcast configuration made of the haul.cluster settings, without starting a member. */
class ConfigTest {

    private static final ClassLoader LOADER = ConfigTest.class.getClassLoader();

    @Test
    void aloneMeansNoDiscoveryAtAllAndLoopbackOnly() {
        Config config = HazelcastCluster.config(
                new ClusterSettings("haul", 5701, "", List.of(), 5, Map.of()), "alpha", LOADER);
        JoinConfig join = config.getNetworkConfig().getJoin();
        assertFalse(join.getMulticastConfig().isEnabled());
        assertFalse(join.getTcpIpConfig().isEnabled());
        assertFalse(join.getAutoDetectionConfig().isEnabled());
        assertTrue(config.getNetworkConfig().getInterfaces().isEnabled());
        assertEquals(List.of("127.0.0.1"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
        assertTrue(config.getNetworkConfig().isPortAutoIncrement(), "alone, any free port will do");
        assertEquals("false", config.getProperty("hazelcast.socket.bind.any"));
    }

    @Test
    void membersMeanTcpJoinOnAFixedPort() {
        Config config = HazelcastCluster.config(new ClusterSettings("prod", 5801, "",
                ClusterSettings.parseMembers(" 10.0.0.1:5801, 10.0.0.2 ,10.0.0.3:5802"), 7, Map.of()), "alpha", LOADER);
        JoinConfig join = config.getNetworkConfig().getJoin();
        assertFalse(join.getMulticastConfig().isEnabled());
        assertFalse(join.getAutoDetectionConfig().isEnabled());
        assertTrue(join.getTcpIpConfig().isEnabled());
        assertEquals(List.of("10.0.0.1:5801", "10.0.0.2", "10.0.0.3:5802"), join.getTcpIpConfig().getMembers());
        assertEquals(7, join.getTcpIpConfig().getConnectionTimeoutSeconds());
        assertEquals(5801, config.getNetworkConfig().getPort());
        assertFalse(config.getNetworkConfig().isPortAutoIncrement());
        assertFalse(config.getNetworkConfig().getInterfaces().isEnabled(), "Hazelcast's choice of interface");
        assertEquals("prod", config.getClusterName());
    }

    @Test
    void aBindAddressPinsTheMember() {
        Config config = HazelcastCluster.config(
                new ClusterSettings("haul", 5701, "localhost", List.of("127.0.0.1:5702"), 5, Map.of()), "a", LOADER);
        assertEquals(List.of("127.0.0.1"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
        assertThrows(IllegalArgumentException.class, () -> HazelcastCluster.config(
                new ClusterSettings("haul", 5701, "no-such-host.invalid", List.of(), 5, Map.of()), "a", LOADER));
    }

    @Test
    void theAgentStopsTheMemberAndNothingPhonesHome() {
        Config config = HazelcastCluster.config(new ClusterSettings("haul", 5701, "", List.of(), 5,
                Map.of("hazelcast.max.no.heartbeat.seconds", "15")), "alpha", LOADER);
        assertEquals("false", config.getProperty("hazelcast.phone.home.enabled"));
        assertEquals("false", config.getProperty("hazelcast.shutdownhook.enabled"));
        assertEquals("slf4j", config.getProperty("hazelcast.logging.type"));
        assertEquals("5", config.getProperty("hazelcast.graceful.shutdown.max.wait"));
        assertEquals("15", config.getProperty("hazelcast.max.no.heartbeat.seconds"), "hazelcast.* pass through");
        assertSame(LOADER, config.getClassLoader());
        assertEquals("alpha", config.getMemberAttributeConfig().getAttributes().get(HazelcastCluster.AGENT_ATTRIBUTE));
        assertEquals(36, config.getMemberAttributeConfig().getAttributes().get(HazelcastCluster.VERTX_NODE_ID).length());
    }

    @Test
    void settingsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new ClusterSettings(" ", 5701, "", List.of(), 5, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new ClusterSettings("h", 0, "", List.of(), 5, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new ClusterSettings("h", 5701, "", List.of(), 0, Map.of()));
        assertEquals(List.of(), ClusterSettings.parseMembers(" , "));
    }
}
