package io.haul.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.haul.itests.Requirements.HostNeeds;
import io.haul.itests.Requirements.Need;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Docker containers on a user-defined network move with their address and their open connections: a Docker engine
 * in each host ({@link DockerHost}), on each the network {@code hdnet} of the bridge driver on the hosts' shared
 * bridge with the same subnet (each engine's gateway its host's own address), a container on it with a fixed address
 * and hardware address echoing a client on hostC ({@link EchoClient}) that checks every byte both ways. Whatever the
 * outcome, one copy runs, the client's connection is open and whole, and neither host keeps a veth, an endpoint or
 * a CRIU lock rule of the migration. Names and addresses are this class's own (hdnA/hdnB/hdnC, 169.254.85.0/24,
 * cluster hdn).
 */
@HostNeeds({Need.ROOT, Need.UNSHARE, Need.CRIU, Need.DOCKER, Need.ARPING})
public class DockerNetworkIT {

    private static final double MIGRATE_SECONDS = 180;
    private static final String NETWORK = "hdnet";
    private static final String SUBNET = "169.254.85.0/24";
    private static final String IP_RANGE = "169.254.85.128/25";
    private static final int PORT = 7007;
    /** A counter in the shell's memory, written to the layer ten times a second, and an echo server per client. */
    private static final String SERVER = "nc -ll -p " + PORT + " -e cat & i=0; "
            + "while true; do i=$((i+1)); echo $i > /counter; sleep 0.1; done";

    private static TwoHostCluster cluster;
    private static Path base;
    private static DockerHost dockerA;
    private static DockerHost dockerB;

    private final List<EchoClient> clients = new ArrayList<>();
    private final List<String> containers = new ArrayList<>();

    @BeforeClass
    public static void startHosts() throws Exception {
        cluster = TwoHostCluster.start(DockerNetworkIT.class, new TwoHostCluster.Options()
                .hosts("hdnA", "169.254.85.1", "hdnB", "169.254.85.2").clusterName("hdn"));
        try {
            base = Files.createTempDirectory(Path.of("/tmp"), "haul-dn-"); // short: containerd's socket paths
            BusyboxRootfs rootfs = BusyboxRootfs.make(base.resolve("busybox"));
            dockerA = DockerHost.start("dnA", cluster.a.name, base.resolve("A"), cluster.work);
            dockerB = startB("B");
            dockerA.importImage(rootfs);
            dockerB.loadSameImage(dockerA);
            createNetwork(dockerA, cluster.a);
            for (TwoHostCluster.Agent agent : List.of(cluster.a, cluster.b)) {
                DockerPlugin.deploy(agent, agent == cluster.a ? dockerA : dockerB);
                DockerPlugin.awaitUsable(cluster, agent);
            }
        } catch (Throwable e) {
            stopHosts();
            throw e;
        }
    }

    /** B's engine with the network, in a folder of its own (a test stops it and starts another). */
    private static DockerHost startB(String folder) throws Exception {
        DockerHost b = DockerHost.start("dn" + folder, cluster.b.name, base.resolve(folder), cluster.work);
        createNetwork(b, cluster.b);
        return b;
    }

    /**
     * The network on the hosts' bridge, the host's own address its gateway, as a user makes it on each host; the
     * addresses the engine picks itself come from the upper half, away from the hosts' and the fixed ones.
     */
    private static void createNetwork(DockerHost docker, TwoHostCluster.Agent host) throws Exception {
        docker.cliOk("network", "create", "-d", "bridge", "--subnet", SUBNET, "--ip-range", IP_RANGE, "--gateway",
                host.ip, "-o",
                "com.docker.network.bridge.name=" + ContainerNetwork.HOSTS_BRIDGE, NETWORK);
    }

    @AfterClass
    public static void stopHosts() throws Exception {
        for (AutoCloseable host : new AutoCloseable[] {dockerA, dockerB}) {
            if (host != null) {
                host.close();
            }
        }
        if (cluster != null) {
            cluster.close();
        }
        if (base != null) {
            Commands.run(List.of("rm", "-rf", "--one-file-system", base.toString()), 60);
        }
    }

    @After
    public void endContainers() throws Exception {
        for (EchoClient client : clients) {
            client.close();
        }
        for (String name : containers) {
            dockerA.cli("rm", "-f", name);
            dockerB.cli("rm", "-f", name);
        }
    }

    /**
     * ps's NETWORK column (and {@code networkMove} in --json) says how the container's network moves, as for a process
     * tree: its veth on the hosts' bridge, its address, moving to the destination's bridge. The host end is the
     * engine's (vethXXXXXXX).
     */
    private static void assertPsSaysHowItsNetworkMoves(String name, long rootPid, String address) throws Exception {
        JsonNode container = null;
        for (JsonNode each : cluster.json(cluster.a, "ps", "docker", "--json").path("containers")) {
            if (each.path("rootPid").asLong() == rootPid) {
                container = each;
            }
        }
        assertTrue("ps lists the container of pid " + rootPid, container != null);
        String moves = container.path("details").path("networkMove").asText();
        assertTrue("how its network moves: " + container, moves.startsWith("veth eth0 on bridge "
                + ContainerNetwork.HOSTS_BRIDGE + " (host end veth") && moves.contains(address + "/24: moves to the "
                + "destination's bridge"));
        System.out.println("DockerNetworkIT ps:\n" + PsNetworkColumn.assertSaysTheAddressMoves(cluster, cluster.a,
                "docker", "docker:" + name, address));
    }

    @Test
    public void aContainerOnAUserDefinedNetworkMovesWithItsAddressAndItsClientsConnectionStaysWhole()
            throws Exception {
        String address = cluster.segmentAddress(50);
        String mac = "02:42:a9:fe:55:50";
        String name = server("moved", List.of("--network", NETWORK, "--ip", address, "--mac-address", mac));
        EchoClient client = connected(address);
        long before = counterAbove(dockerA, name, 2);
        long pidOnA = dockerA.containerPid(name);
        String ps = cluster.client(cluster.a, "ps", "docker", "--json").output();
        assertTrue("ps --json gives the container's address and hardware address:\n" + ps,
                ps.contains(address + "/24 " + mac));
        assertPsSaysHowItsNetworkMoves(name, pidOnA, address);
        client.resetGap();

        Commands.Result result = cluster.clientLive(cluster.a, "migrate", "docker:" + name, "--to", cluster.b.name)
                .result(MIGRATE_SECONDS);
        String text = result.output();
        System.out.println("DockerNetworkIT: migrate printed:\n" + text);
        assertEquals("migrate exits 0:\n" + text + "\nA's log:\n" + cluster.a.logText() + "\nB's log:\n"
                + cluster.b.logText(), 0, result.exitCode());

        client.assertEchoes("the client's connection goes on after the move", client.echoed() + 200, 30);
        assertEquals("running on B", "running", dockerB.containerStatus(name));
        long after = counterAbove(dockerB, name, before);
        String prompted = cluster.b.awaitLog("prompted the TCP peers of pid " + dockerB.containerPid(name), 30);
        assertTrue("hostB prompted the client on hostC to retransmit at once (nc's socket is IPv6, its client an "
                + "IPv4-mapped peer): " + prompted, prompted.contains("prompted " + cluster.segmentAddress(3) + ":"));
        assertTrue("the counter went on from " + before + " (memory moved): " + after, after > before);
        JsonNode onB = endpoint(dockerB, name);
        assertEquals("B's engine knows the container's address", address, onB.path("IPAddress").asText());
        assertEquals("and its hardware address", mac, onB.path("MacAddress").asText());
        assertTrue("B's engine lists it on " + NETWORK, networkContainers(dockerB).contains(name));

        assertNotEquals("gone from A's engine", 0, dockerA.cli("inspect", name).exitCode());
        assertFalse("its process " + pidOnA + " ended on A", Procs.alive(pidOnA));
        assertEquals("no endpoint is left on A's network", List.of(), networkContainers(dockerA));
        assertEquals("no veth of it is left on A's bridge", List.of("haul-" + cluster.a.name), ports(cluster.a));
        long root = dockerB.containerPid(name);
        String hostEnd = hostEndOf(root);
        assertTrue("its host end " + hostEnd + " is a port of B's bridge", ports(cluster.b).contains(hostEnd));
        assertEquals("B's bridge forwards its frames to its host end", hostEnd, forwardedTo(cluster.b, mac));
        assertEquals("A's bridge forwards them to B", cluster.vethA(), forwardedTo(cluster.a, mac));
        assertNoLockRules(root);

        EchoClient.Report seen = client.stop();
        double frozen = new MigrateOutput(result.stdout()).frozenMillis().orElse(-1.0);
        System.out.printf(Locale.ROOT, "DockerNetworkIT FIGURE: frozen %.0f ms, the client's longest gap %d ms "
                + "(%d lines echoed)%n", frozen, seen.longestGapMs(), seen.echoed());
        assertTrue("the client saw every line echoed once, in order: " + seen, seen.intact());
    }

    /**
     * B's engine stops while the images travel (a capped link, stop-and-copy, 48 MiB in the container's /dev/shm,
     * so the container is frozen then): B cannot make the container, the migration rolls back, CRIU lifts its lock
     * on A, and the client's connection goes on there with the same container.
     */
    @Test
    public void whenTheDestinationsEngineFailsTheContainerAndItsConnectionGoOnAtTheSource() throws Exception {
        String address = cluster.segmentAddress(51);
        String name = "rolled-back-" + UUID.randomUUID().toString().substring(0, 8);
        containers.add(name);
        dockerA.run(name, List.of("--network", NETWORK, "--ip", address, "--mac-address", "02:42:a9:fe:55:51"),
                DockerHost.IMAGE, "sh", "-c", "head -c 50331648 /dev/urandom > /dev/shm/ballast; " + SERVER);
        EchoClient client = connected(address);
        long before = counterAbove(dockerA, name, 2);
        long pid = dockerA.containerPid(name);

        cluster.capLink("40mbit");
        Commands.Result result;
        try (LiveCommand migrate = cluster.clientLive(cluster.a, "migrate", "docker:" + name, "--to",
                cluster.b.name, "--strategy", "none")) {
            migrate.awaitLine(l -> l.contains("TRANSFER"), MIGRATE_SECONDS).orElseThrow(() ->
                    new AssertionError("the transfer never began:\n" + migrate.output()));
            String frozenRules = lockRules(pid);
            System.out.println("DockerNetworkIT: the frozen container's namespace's rules:\n" + frozenRules);
            assertTrue("the frozen container's traffic is held (CRIU's lock in its namespace):\n" + frozenRules,
                    frozenRules.contains("CRIU"));
            dockerB.close();
            result = migrate.result(MIGRATE_SECONDS);
        } finally {
            cluster.uncapLink();
            dockerB.close(); // again when the test failed before it did: nothing of the engine may stay
            dockerB = startB("B2");
            dockerB.loadSameImage(dockerA);
            DockerPlugin.deploy(cluster.b, dockerB);
            DockerPlugin.awaitUsable(cluster, cluster.b);
        }
        String text = result.output();
        System.out.println("DockerNetworkIT rollback: migrate printed:\n" + text);
        assertNotEquals("migrate fails:\n" + text, 0, result.exitCode());
        JsonNode record = cluster.record(cluster.a, new MigrateOutput(result.stdout()).id());
        assertEquals("rolled back:\n" + record.toPrettyString(), "ROLLED_BACK", record.path("outcome").asText());

        client.assertEchoes("the client's connection goes on at A", client.echoed() + 200, 30);
        assertEquals("the same process runs on at A", pid, dockerA.containerPid(name));
        assertTrue("its counter goes on", counterAbove(dockerA, name, before) > before);
        assertEquals("A's engine still has its address", address, endpoint(dockerA, name).path("IPAddress").asText());
        assertEquals("nothing of it on B's bridge", List.of("haul-" + cluster.b.name, "haulc-" + cluster.b.name),
                ports(cluster.b));
        assertNoLockRules(pid);
        EchoClient.Report seen = client.stop();
        assertTrue("the client saw every line echoed once, in order: " + seen, seen.intact());
    }

    /** Network modes whose address cannot move are refused before anything freezes, saying what to do instead. */
    @Test
    public void theHostsNetworkAndAnAddressTheEnginePickedAreRefusedWithTheWayOut() throws Exception {
        String onHost = server("host-net", List.of("--network", "host"));
        assertRefused(onHost, "--network host", "--ip");
        String picked = server("picked", List.of("--network", NETWORK));
        assertRefused(picked, "picked by the engine", "--ip ADDRESS");
    }

    /**
     * What the destination's engine cannot give the container is refused before anything freezes, each naming the
     * problem: no network of that name, another subnet, the address taken by one of its containers.
     */
    @Test
    public void aDestinationWithoutTheNetworkWithAnotherSubnetOrWithTheAddressTakenIsRefused() throws Exception {
        // a network only A's engine has (on a bridge of its own, not on the segment: nothing reaches it)
        dockerA.cliOk("network", "create", "--subnet", "169.254.86.0/24", "hdn-only-a");
        try {
            String lonely = server("no-network", List.of("--network", "hdn-only-a", "--ip", "169.254.86.50"));
            assertRefused(lonely, "no network named 'hdn-only-a'", "docker network create --subnet 169.254.86.0/24");
        } finally {
            endContainers();
            containers.clear();
            dockerA.cli("network", "rm", "hdn-only-a");
        }

        dockerA.cliOk("network", "create", "--subnet", "169.254.87.0/24", "hdn-subnet");
        dockerB.cliOk("network", "create", "--subnet", "169.254.88.0/24", "hdn-subnet");
        try {
            String elsewhere = server("other-subnet", List.of("--network", "hdn-subnet", "--ip", "169.254.87.50"));
            assertRefused(elsewhere, "169.254.88.0/24", "169.254.87.0/24");
        } finally {
            endContainers();
            containers.clear();
            dockerA.cli("network", "rm", "hdn-subnet");
            dockerB.cli("network", "rm", "hdn-subnet");
        }

        String address = cluster.segmentAddress(52);
        String taken = "taken-" + UUID.randomUUID().toString().substring(0, 8);
        containers.add(taken);
        dockerB.run(taken, List.of("--network", NETWORK, "--ip", address), DockerHost.IMAGE, "sleep", "100000");
        String mover = server("address-taken", List.of("--network", NETWORK, "--ip", address, "--mac-address",
                "02:42:a9:fe:55:52"));
        assertRefused(mover, address, "taken here by the container '" + taken + "'");
    }

    /** Starts an echo server container on A; returns its name. */
    private String server(String prefix, List<String> options) throws Exception {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        containers.add(name);
        dockerA.run(name, options, DockerHost.IMAGE, "sh", "-c", SERVER);
        return name;
    }

    private void assertRefused(String name, String... named) throws Exception {
        long before = counterAbove(dockerA, name, 2);
        long pid = dockerA.containerPid(name);
        Commands.Result result = cluster.clientLive(cluster.a, "migrate", "docker:" + name, "--to", cluster.b.name)
                .result(MIGRATE_SECONDS);
        String text = result.output();
        System.out.println("DockerNetworkIT refusal (" + String.join(", ", named) + "): migrate printed:\n" + text);
        assertNotEquals("migrate exits non-zero:\n" + text, 0, result.exitCode());
        for (String word : named) {
            assertTrue("the refusal names " + word + ":\n" + text, text.contains(word));
        }
        MigrateOutput.idIn(result.stdout()).ifPresent(id -> {
            try {
                JsonNode record = cluster.record(cluster.a, id);
                assertEquals("refused in the checks, before anything froze:\n" + record.toPrettyString(), "CHECKS",
                        record.path("error").path("phase").asText());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertEquals("the same process runs on A", pid, dockerA.containerPid(name));
        assertTrue("its counter goes on", counterAbove(dockerA, name, before) > before);
        assertNotEquals("nothing was made on B", 0, dockerB.cli("inspect", name).exitCode());
    }

    private EchoClient connected(String address) throws Exception {
        EchoClient client = connectWhenListening(address);
        clients.add(client);
        client.assertEchoes("the client's first echoes come", 20, 30);
        return client;
    }

    /** The server's nc listens a moment after the container starts: connects once it does. */
    private EchoClient connectWhenListening(String address) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                return EchoClient.connect(cluster.hostC(), address, PORT);
            } catch (java.net.ConnectException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static long counterAbove(DockerHost host, String name, long floor) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        long value = -1;
        while (System.nanoTime() < deadline) {
            Commands.Result read = host.cli("exec", name, "cat", "/counter");
            if (read.exitCode() == 0 && !read.stdout().isBlank()) {
                value = Long.parseLong(read.stdout().strip());
                if (value > floor) {
                    return value;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " on " + host + ": counter still " + value + ", not above " + floor);
    }

    /** The container's endpoint on the network as its engine's inspect shows it. */
    private static JsonNode endpoint(DockerHost host, String name) throws Exception {
        JsonNode inspect = new ObjectMapper().readTree(host.cliOk("inspect", name)).get(0);
        return inspect.path("NetworkSettings").path("Networks").path(NETWORK);
    }

    /** The names of the containers the engine has on the network. */
    private static List<String> networkContainers(DockerHost host) throws Exception {
        JsonNode network = new ObjectMapper().readTree(host.cliOk("network", "inspect", NETWORK)).get(0);
        List<String> names = new ArrayList<>();
        network.path("Containers").forEach(c -> names.add(c.path("Name").asText()));
        return names;
    }

    /** The ports of the host's bridge, sorted. */
    private static List<String> ports(TwoHostCluster.Agent host) throws Exception {
        Commands.Result links = Commands.run(List.of("ip", "-n", host.name, "-o", "link", "show", "master",
                ContainerNetwork.HOSTS_BRIDGE), 30);
        assertEquals(links.output(), 0, links.exitCode());
        return links.stdout().lines().map(line -> line.split(": ")[1].split("@")[0]).sorted().toList();
    }

    /** The name, in its host's namespace, of the peer of the container's eth0 (pid {@code root}'s). */
    private static String hostEndOf(long root) throws Exception {
        String link = Commands.run(List.of("nsenter", "--net=/proc/" + root + "/ns/net", "ip", "-o", "link", "show",
                "eth0"), 30).stdout();
        String peerIndex = link.substring(link.indexOf("@if") + 3).split(":")[0];
        String hosts = Commands.run(List.of("ip", "-n", cluster.b.name, "-o", "link"), 30).stdout();
        return hosts.lines().filter(l -> l.startsWith(peerIndex + ": ")).map(l -> l.split(": ")[1].split("@")[0])
                .findFirst().orElse("");
    }

    /** The port the host's bridge forwards frames for {@code mac} to, "" when it has not learnt one. */
    private static String forwardedTo(TwoHostCluster.Agent host, String mac) throws Exception {
        Commands.Result fdb = Commands.run(List.of("bridge", "-n", host.name, "fdb", "show", "br",
                ContainerNetwork.HOSTS_BRIDGE), 30);
        return fdb.stdout().lines().filter(line -> line.startsWith(mac + " dev ")).map(line -> line.split(" ")[2])
                .findFirst().orElse("");
    }

    /** No CRIU network-lock rule on either host, nor in the container's namespace (pid {@code root}'s). */
    private static void assertNoLockRules(long root) throws Exception {
        for (TwoHostCluster.Agent host : List.of(cluster.a, cluster.b)) {
            String rules = Commands.run(List.of("ip", "netns", "exec", host.name, "iptables", "-S"), 30).output();
            assertFalse("no CRIU rule is left on " + host + ":\n" + rules, rules.contains("CRIU"));
        }
        String inside = lockRules(root);
        assertFalse("the container's namespace is unlocked:\n" + inside, inside.contains("CRIU"));
    }

    /** The iptables rules of the network namespace of pid {@code pid}. */
    private static String lockRules(long pid) throws Exception {
        return Commands.run(List.of("nsenter", "--net=/proc/" + pid + "/ns/net", "iptables", "-S"), 30).output();
    }
}
