package io.haul.itests;

import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.haul.itests.Requirements.HostNeeds;
import io.haul.itests.Requirements.Need;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * {@code haul ps lxc} says for an LXC container how its network moves, as it does for a process tree (NetworkIT) and
 * a Docker container (DockerNetworkIT): the NETWORK column and {@code networkMove} in --json name its veth on the
 * hosts' bridge, the host end, its address, and that it moves to the destination's bridge. Nothing is migrated: the
 * moves themselves are LxcMigrationIT's. Hosts netxlA/netxlB, 169.254.104.0/24 (a segment of their own).
 */
@HostNeeds({Need.ROOT, Need.UNSHARE, Need.CRIU, Need.LXC})
public class LxcNetworkPsIT {

    private static final long BACKEND_SECONDS = 60;

    private static TwoHostCluster cluster;
    private static Path base;
    private static LxcHost lxcA;

    @BeforeClass
    public static void startHosts() throws Exception {
        cluster = TwoHostCluster.start(LxcNetworkPsIT.class, new TwoHostCluster.Options()
                .hosts("netxlA", "169.254.104.1", "netxlB", "169.254.104.2").clusterName("haulnetxl"));
        try {
            base = Files.createTempDirectory(Path.of("/tmp"), "haul-lxcps-");
            lxcA = new LxcHost(cluster.a.name, base.resolve("A"));
            Files.writeString(cluster.a.state.resolve("etc/haul.lxc.cfg"), "lxcpath=" + lxcA.lxcpath + "\n");
            Path jar = Path.of(System.getProperty("haul.lxc.jar", ""));
            assertTrue("the lxc plugin jar " + jar + " exists (build first)", Files.isRegularFile(jar));
            Path staging = cluster.a.state.resolve("plugin-lxc.jar.part");
            Files.copy(jar, staging, StandardCopyOption.REPLACE_EXISTING);
            Files.move(staging, cluster.a.state.resolve("deploy/plugin-lxc.jar"), StandardCopyOption.ATOMIC_MOVE);
            cluster.a.awaitLog("lxc backend: containers of " + lxcA.lxcpath, (int) BACKEND_SECONDS);
        } catch (Throwable e) {
            stopHosts();
            throw e;
        }
    }

    @AfterClass
    public static void stopHosts() throws Exception {
        if (lxcA != null) {
            lxcA.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (base != null) {
            Commands.run(List.of("rm", "-rf", "--one-file-system", base.toString()), 60);
        }
    }

    @Test
    public void psSaysHowAContainersVethMovesWithItsAddress() throws Exception {
        String name = "psnet";
        String address = cluster.segmentAddress(50);
        String hostEnd = "netxl50";
        lxcA.create(name, List.of("lxc.net.0.type = veth", "lxc.net.0.link = " + ContainerNetwork.HOSTS_BRIDGE,
                "lxc.net.0.veth.pair = " + hostEnd, "lxc.net.0.name = eth0", "lxc.net.0.hwaddr = 02:00:a9:fe:68:40",
                "lxc.net.0.ipv4.address = " + address + "/24", "lxc.net.0.flags = up", "lxc.console.path = none"));
        lxcA.start(name);
        lxcA.awaitCounterAbove(name, 2);

        JsonNode listed = cluster.json(cluster.a, "ps", "lxc", "--json");
        JsonNode container = null;
        for (JsonNode each : listed.path("containers")) {
            if (each.path("ref").path("backend").asText().equals("lxc") && each.path("ref").path("id").asText().equals(name)) {
                container = each;
            }
        }
        assertTrue("ps lxc lists lxc:" + name + ": " + listed, container != null);
        String moves = container.path("details").path("networkMove").asText();
        assertTrue("how its network moves: " + container, moves.equals("veth eth0 on bridge "
                + ContainerNetwork.HOSTS_BRIDGE + " (host end " + hostEnd + "), " + address + "/24: moves to the "
                + "destination's bridge, announced there"));
        assertTrue("its addresses: " + container, container.path("details").path("addresses").asText()
                .startsWith(address + "/24"));

        System.out.println("LxcNetworkPsIT ps:\n" + PsNetworkColumn.assertSaysTheAddressMoves(cluster, cluster.a, "lxc",
                "lxc:" + name, address));
    }
}
