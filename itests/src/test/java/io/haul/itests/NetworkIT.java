package io.haul.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.haul.itests.Requirements.HostNeeds;
import io.haul.itests.Requirements.Need;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Process trees with a network of their own move with their address and their open connections: each tree is
 * in a network namespace joined to hostA's bridge by a veth ({@link ContainerNetwork}), a TCP server in it
 * echoing a client on hostC ({@link EchoClient}) that checks every byte both ways. Whatever the outcome, one
 * copy runs, the client's connection is open and whole, and no veth, bridge port or CRIU lock rule of the
 * migration is left on either host. The hosts share one segment (hosts.sh); names and addresses are this
 * class's own (haulnetA/B/C, 169.254.84.0/24, unless
 * {@code haul.it.netSegment} says otherwise).
 */
@HostNeeds({Need.ROOT, Need.UNSHARE, Need.CRIU, Need.ARPING})
public class NetworkIT {

    private static final int MIB = 32;
    private static final int PORT = 7007;
    private static final double MIGRATE_SECONDS = 180;

    /**
     * The segment's third byte, 84 unless {@code -Dhaul.it.netSegment=N} gives another, so that two people can run
     * this class on one machine at once (the hosts are then hnetNA/B/C, 169.254.N.0/24: short, for hosts.sh's
     * interface names).
     */
    private static final String SEGMENT_BYTE = System.getProperty("haul.it.netSegment", "84");
    private static final String SEGMENT = "169.254." + SEGMENT_BYTE;
    private static final String HOSTS = SEGMENT_BYTE.equals("84") ? "haulnet" : "hnet" + SEGMENT_BYTE;

    private static TwoHostCluster cluster;
    private final List<Workload> trees = new ArrayList<>();
    private final List<EchoClient> clients = new ArrayList<>();
    private final List<String> undo = new ArrayList<>();

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = TwoHostCluster.start(NetworkIT.class, new TwoHostCluster.Options()
                .hosts(HOSTS + "A", SEGMENT + ".1", HOSTS + "B", SEGMENT + ".2").folderOnlyOnA());
    }

    @AfterClass
    public static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Before
    public void healthyCluster() throws Exception {
        String repaired = cluster.ensureHealthy();
        if (!repaired.isEmpty()) {
            System.out.println("NetworkIT: before the test, " + repaired);
        }
    }

    @After
    public void endTrees() throws Exception {
        for (EchoClient client : clients) {
            client.close();
        }
        for (Workload tree : trees) {
            tree.close();
        }
        for (String command : undo.reversed()) {
            Commands.run(List.of("sh", "-c", command), 30);
        }
    }

    @Test
    public void aTreeWithAVethMovesWithItsAddressAndItsClientsConnectionStaysWhole() throws Exception {
        ContainerNetwork network = ContainerNetwork.on("hnet1", cluster.segmentAddress(50), "02:00:a9:fe:54:32");
        Workload tree = networked("moved", network, null);
        EchoClient client = connected(network);
        Workload.Status before = tree.awaitCountAbove(2, 30);
        client.resetGap();

        Commands.Result result = cluster.clientLive(cluster.a, "migrate", "process:" + tree.root(), "--to",
                cluster.b.name).result(MIGRATE_SECONDS);
        String text = result.output();
        System.out.println("NetworkIT: migrate printed:\n" + text);
        assertEquals("migrate exits 0:\n" + text, 0, result.exitCode());

        client.assertEchoes("the client's connection goes on after the move", client.echoed() + 200, 30);
        long root = tree.assertOneRunningCopy(cluster.b.name, before.count());
        assertFalse("the source's host end is gone with the source's copy", network.hostEndIn(cluster.a.name));
        assertEquals("hostB's bridge forwards the container's frames to its new host end", network.hostEnd(),
                network.forwardedTo(cluster.b.name));
        assertEquals("hostA's bridge forwards them to hostB", cluster.vethA(), network.forwardedTo(cluster.a.name));
        assertNoLockRules(root);
        String prompted = cluster.b.awaitLog("prompted the TCP peers of pid " + root + "'s eth0", 30);
        assertTrue("hostB prompted the client on hostC to retransmit at once: " + prompted,
                prompted.contains("prompted " + cluster.segmentAddress(3) + ":"));

        EchoClient.Report seen = client.stop();
        double frozen = new MigrateOutput(result.stdout()).frozenMillis().orElse(-1.0);
        System.out.printf(Locale.ROOT, "NetworkIT FIGURE: frozen %.0f ms, the client's longest gap %d ms "
                + "(%d lines echoed)%n", frozen, seen.longestGapMs(), seen.echoed());
        assertTrue("the client saw every line echoed once, in order: " + seen, seen.intact());
    }

    /**
     * A tree with an IPv6 address (link-local: fe80::/10 only) moves with it, and the segment hears an unsolicited
     * neighbour advertisement for it from the container's hardware address (hostC watches), as it hears the
     * gratuitous ARP for IPv4; hostC reaches the address on hostB.
     */
    @Test
    public void aTreeWithAnIpv6AddressMovesWithItAndItsPeersHearItsNeighbourAdvertisement() throws Exception {
        Assume.assumeTrue("na6 is not installed (ipv6toolkit; ./haul setup installs it)", Commands.which("na6") != null);
        ContainerNetwork network = ContainerNetwork.on("hnet11", cluster.segmentAddress(60), "02:00:a9:fe:54:43");
        Workload tree = networked("ipv6", network, null);
        String ipv6 = "fe80::a9fe:5b3c";
        run("nsenter --net=/proc/" + tree.root() + "/ns/net ip -6 addr add " + ipv6 + "/64 dev eth0 nodad", null);
        String fromC = "nsenter --net=/run/netns/" + cluster.hostC() + " ping -6 -c 1 -W 5 " + ipv6 + "%haul-"
                + cluster.hostC();
        run(fromC, null);
        EchoClient client = connected(network);
        Workload.Status before = tree.awaitCountAbove(2, 30);

        try (LiveCommand heard = LiveCommand.start(List.of("nsenter", "--net=/run/netns/" + cluster.hostC(), "perl",
                Path.of(System.getProperty("haul.home", "..")).toAbsolutePath().normalize()
                        .resolve("itests/src/test/resources/migration/na-watch.pl").toString(), "300"))) {
            assertTrue("hostC watches", heard.awaitLine("watching"::equals, 30).isPresent());
            Commands.Result result = cluster.clientLive(cluster.a, "migrate", "process:" + tree.root(), "--to",
                    cluster.b.name).result(MIGRATE_SECONDS);
            String text = result.output();
            System.out.println("NetworkIT IPv6: migrate printed:\n" + text);
            assertEquals("migrate exits 0:\n" + text, 0, result.exitCode());
            long root = tree.assertOneRunningCopy(cluster.b.name, before.count());
            String addresses = Commands.run(List.of("nsenter", "--net=/proc/" + root + "/ns/net", "ip", "-6", "addr",
                    "show", "dev", "eth0"), 30).output();
            assertTrue("the copy has the address:\n" + addresses, addresses.contains("inet6 " + ipv6 + "/64"));
            String advertisement = "NA fe80:0000:0000:0000:0000:0000:a9fe:5b3c from " + network.mac()
                    + " override unsolicited";
            assertTrue("hostC hears the unsolicited advertisement:\n" + heard.output(),
                    heard.awaitLine(advertisement::equals, 30).isPresent());
        }
        run(fromC, null);
        assertTrue("the client's connection goes on after the move", client.awaitEchoes(client.echoed() + 200, 30));
        EchoClient.Report seen = client.stop();
        assertTrue("the client saw every line echoed once, in order: " + seen, seen.intact());
    }

    /**
     * The summary says how long the container's network was silent as the agents saw it (its last TCP or UDP frame
     * on hostA before the freeze to its first on hostB after the copy ran). Bounds that hold whatever the load: the
     * tree was frozen through the whole TRANSFER and RESTORE phases, so it is at least those; both frames passed
     * while the command ran, so it is at most the command's time.
     */
    @Test
    public void theSummarySaysHowLongTheContainersNetworkWasSilent() throws Exception {
        ContainerNetwork network = ContainerNetwork.on("hnet10", cluster.segmentAddress(59), "02:00:a9:fe:54:42");
        Workload tree = networked("silence", network, null);
        EchoClient client = connected(network);
        Workload.Status before = tree.awaitCountAbove(2, 30);
        client.resetGap();

        long started = System.nanoTime();
        Commands.Result result = cluster.clientLive(cluster.a, "migrate", "process:" + tree.root(), "--to",
                cluster.b.name).result(MIGRATE_SECONDS);
        double commandMillis = (System.nanoTime() - started) / 1e6;
        String text = result.output();
        System.out.println("NetworkIT silence: migrate printed:\n" + text);
        assertEquals("migrate exits 0:\n" + text, 0, result.exitCode());
        assertTrue("the client's connection goes on after the move", client.awaitEchoes(client.echoed() + 200, 30));
        tree.assertOneRunningCopy(cluster.b.name, before.count());

        MigrateOutput summary = new MigrateOutput(result.stdout());
        double silent = summary.networkSilentMillis().orElseThrow(() -> new AssertionError("the summary has no "
                + "network line:\n" + text));
        double frozenThrough = summary.phaseMillis("TRANSFER").orElse(0.0) + summary.phaseMillis("RESTORE")
                .orElseThrow(() -> new AssertionError("no RESTORE row:\n" + text));
        EchoClient.Report seen = client.stop();
        System.out.printf(Locale.ROOT, "NetworkIT FIGURE: network silent %.0f ms (agents), the client's longest gap"
                + " %d ms, frozen %.0f ms, TRANSFER+RESTORE %.0f ms%n", silent, seen.longestGapMs(),
                summary.frozenMillis().orElse(-1.0), frozenThrough);
        assertTrue("silent at least through TRANSFER and RESTORE (" + frozenThrough + " ms): " + silent + " ms",
                silent >= frozenThrough);
        assertTrue("silent at most the command's " + commandMillis + " ms: " + silent + " ms", silent <= commandMillis);
        assertTrue("the client saw every line echoed once, in order: " + seen, seen.intact());
    }

    /**
     * ps says, for each tree, its addresses and how its network moves: a veth on the bridge with its address, the
     * host's network staying behind, and a macvlan refused by name, in the table and in --json.
     */
    @Test
    public void psShowsEachTreesAddressesAndHowItsNetworkMoves() throws Exception {
        ContainerNetwork network = ContainerNetwork.on("hnet8", cluster.segmentAddress(57), "02:00:a9:fe:54:40");
        Workload veth = networked("ps-veth", network, null);
        Workload host = Workload.single(cluster, "ps-host", 1);
        trees.add(host);
        ContainerNetwork other = ContainerNetwork.on("hnet9", cluster.segmentAddress(58), "02:00:a9:fe:54:41");
        Workload macvlan = networked("ps-macvlan", other, null);
        run("ip -n " + cluster.a.name + " link add hmv1 link haulbr0 type macvlan mode bridge && ip -n "
                + cluster.a.name + " link set hmv1 netns " + macvlan.root(), null);

        JsonNode listed = cluster.json(cluster.a, "ps", "process", "--json").path("containers");
        JsonNode moves = details(listed, veth.root());
        assertEquals("the veth tree's addresses", network.address() + "/24", moves.path("addresses").asText()
                .replaceAll(" fe80:\\S+", ""));
        assertTrue("how it moves: " + moves, moves.path("networkMove").asText().startsWith("veth eth0 on bridge "
                + ContainerNetwork.HOSTS_BRIDGE + " (host end hnet8), " + network.address() + "/24: moves"));
        assertTrue("the host's network stays: " + details(listed, host.root()), details(listed, host.root())
                .path("networkMove").asText().startsWith("host network: the host's addresses stay behind"));
        String refused = details(listed, macvlan.root()).path("networkMove").asText();
        assertTrue("the macvlan is refused by name: " + refused, refused.startsWith("refused: ")
                && refused.contains("hmv1") && refused.contains("macvlan"));

        System.out.println("NetworkIT ps:\n" + PsNetworkColumn.assertSaysTheAddressMoves(cluster, cluster.a, "process",
                "process:" + veth.root(), network.address()));
    }

    private static JsonNode details(JsonNode containers, long root) {
        for (JsonNode container : containers) {
            if (container.path("rootPid").asLong() == root) {
                return container.path("details");
            }
        }
        throw new AssertionError("ps does not list the tree of pid " + root + ": " + containers);
    }

    /**
     * The restore fails on hostB for a real reason (the tree holds open a file only hostA has): the migration
     * rolls back, CRIU lifts the network lock on hostA, and the connection goes on there as if nothing happened.
     */
    @Test
    public void aRestoreFailingOnTheDestinationRollsBackAndTheConnectionGoesOnAtTheSource() throws Exception {
        Path held = cluster.onlyOnA().resolve("net-held.txt");
        Files.writeString(held, "a file only hostA has\n");
        ContainerNetwork network = ContainerNetwork.on("hnet2", cluster.segmentAddress(51), "02:00:a9:fe:54:33");
        Workload tree = networked("rolled-back", network, held);
        EchoClient client = connected(network);
        Workload.Status before = tree.awaitCountAbove(2, 30);

        Commands.Result result = cluster.clientLive(cluster.a, "migrate", "process:" + tree.root(), "--to",
                cluster.b.name).result(MIGRATE_SECONDS);
        String text = result.output();
        System.out.println("NetworkIT rollback: migrate printed:\n" + text);
        assertNotEquals("migrate exits non-zero:\n" + text, 0, result.exitCode());
        assertTrue("migrate says it rolled back:\n" + text, result.stderr().contains("rolled back"));
        JsonNode record = cluster.record(cluster.a, new MigrateOutput(result.stdout()).id());
        assertEquals("the error's code", "criu.restore-failed", record.path("error").path("code").asText());

        client.assertEchoes("the client's connection goes on at hostA", client.echoed() + 200, 30);
        long root = tree.assertOneRunningCopy(cluster.a.name, before.count());
        assertEquals("the same tree runs on", tree.root(), root);
        assertFalse("nothing of the restored copy's host end is left on hostB", network.hostEndIn(cluster.b.name));
        assertNoLockRules(root);
        EchoClient.Report seen = client.stop();
        assertTrue("the client saw every line echoed once, in order: " + seen, seen.intact());
    }

    /**
     * hostB's agent dies (SIGKILL) while the frozen tree's images travel (stop-and-copy over a capped transfer, so
     * the kill lands in the frozen window, the connections locked): the source resumes the tree and lifts the lock,
     * the client's connection goes on where it was, and hostB, restarted, settles the migration as rolled back with
     * nothing of the tree's network left there.
     */
    @Test
    public void aDestinationAgentKilledInTheFrozenWindowRollsBackAndTheConnectionGoesOn() throws Exception {
        ContainerNetwork network = ContainerNetwork.on("hnet7", cluster.segmentAddress(56), "02:00:a9:fe:54:38");
        Workload tree = networked("killed-destination", network, null);
        EchoClient client = connected(network);
        Workload.Status before = tree.awaitCountAbove(2, 30);

        cluster.capTransfers("40mbit"); // 32 MiB of images: about 7 s on the wire
        LiveCommand migrate = cluster.clientLive(cluster.a, "migrate", "process:" + tree.root(), "--to",
                cluster.b.name, "--strategy", "none");
        String id;
        try {
            String first = migrate.awaitLine(l -> l.startsWith("migration "), 60)
                    .orElseThrow(() -> new AssertionError("migrate printed no first line:\n" + migrate.output()));
            id = MigrateOutput.idIn(first).orElseThrow();
            // the first progress of the transfer: the tree is frozen, the rest of its images are on the way
            assertTrue("the images travel:\n" + migrate.output(), migrate.awaitLine(l -> l.contains(" TRANSFER ")
                    && l.contains("] "), 60).isPresent());
            cluster.b.kill();
        } finally {
            cluster.uncapLink();
        }
        Commands.Result result = migrate.result(MIGRATE_SECONDS);
        String text = result.output();
        System.out.println("NetworkIT destination killed: migrate printed:\n" + text);
        assertNotEquals("migrate exits non-zero:\n" + text, 0, result.exitCode());
        assertTrue("migrate says it rolled back:\n" + text, result.stderr().contains("rolled back"));
        assertEquals("ROLLED_BACK", cluster.record(cluster.a, id).path("outcome").asText());

        client.assertEchoes("the client's connection goes on at hostA", client.echoed() + 200, 30);
        assertEquals("the same tree runs on", tree.root(), tree.assertOneRunningCopy(cluster.a.name, before.count()));
        assertNoLockRules(tree.root());

        cluster.b.start();
        cluster.awaitCluster(TwoHostCluster.CLUSTER_SECONDS);
        assertEquals("hostB's view of the record", "ROLLED_BACK", cluster.record(cluster.b, id).path("outcome").asText());
        assertFalse("nothing of the tree's network on hostB", network.hostEndIn(cluster.b.name));
        assertEquals("no images left", List.of(), cluster.leftoverImages());
        EchoClient.Report seen = client.stop();
        assertTrue("the client saw every line echoed once, in order: " + seen, seen.intact());
    }

    /** What the destination cannot take is refused before anything freezes; the tree and its client go on. */
    @Test
    public void aDestinationWithoutTheBridgeOrWhereTheAddressIsInUseOrWithAnotherMtuIsRefused() throws Exception {
        // a bridge only hostA has
        run("ip -n " + cluster.a.name + " link add haulbr9 type bridge && ip -n " + cluster.a.name
                + " link set haulbr9 up", "ip -n " + cluster.a.name + " link del haulbr9");
        ContainerNetwork unreachable = ContainerNetwork.on("hnet3", cluster.segmentAddress(52), "02:00:a9:fe:54:34")
                .onBridge("haulbr9");
        assertMigrationRefused(networked("no-bridge", unreachable, null), null, unreachable, "haulbr9",
                "the destination has no bridge");

        // hostA's bridge has the container's address too (another hardware address on the segment), from after
        // the client connected: the client's neighbour entry stays the container's
        ContainerNetwork shared = ContainerNetwork.on("hnet4", cluster.segmentAddress(53), "02:00:a9:fe:54:35");
        Workload sharing = networked("address-in-use", shared, null);
        EchoClient client = connected(shared);
        run("ip -n " + cluster.a.name + " addr add " + shared.address() + "/32 dev " + ContainerNetwork.HOSTS_BRIDGE,
                "ip -n " + cluster.a.name + " addr del " + shared.address() + "/32 dev " + ContainerNetwork.HOSTS_BRIDGE);
        assertMigrationRefused(sharing, client, shared, "in use on the destination's segment", shared.address());

        assertRefused("mtu", ContainerNetwork.on("hnet5", cluster.segmentAddress(54), "02:00:a9:fe:54:36")
                .withMtu(1400), "MTU", "1400");
    }

    /**
     * The container's IPv6 address is another node's on the segment too (hostA's bridge has it, with its own hardware
     * address): hostB's neighbour solicitation hears that node besides the container, and the move is refused before
     * anything freezes, naming the address and the node's hardware address; the tree and its client go on.
     */
    @Test
    public void aDestinationWhereAnotherNodeAnswersForTheContainersIpv6AddressIsRefusedNamingIt() throws Exception {
        Assume.assumeTrue("ndisc6 is not installed (./haul setup installs it)", Commands.which("ndisc6") != null);
        ContainerNetwork network = ContainerNetwork.on("hnet12", cluster.segmentAddress(61), "02:00:a9:fe:54:44");
        Workload tree = networked("ipv6-in-use", network, null);
        String ipv6 = "fe80::a9fe:5b3d";
        run("nsenter --net=/proc/" + tree.root() + "/ns/net ip -6 addr add " + ipv6 + "/64 dev eth0 nodad", null);
        EchoClient client = connected(network);
        run("ip -n " + cluster.a.name + " -6 addr add " + ipv6 + "/64 dev " + ContainerNetwork.HOSTS_BRIDGE + " nodad",
                "ip -n " + cluster.a.name + " -6 addr del " + ipv6 + "/64 dev " + ContainerNetwork.HOSTS_BRIDGE);
        String other = Commands.run(List.of("ip", "netns", "exec", cluster.a.name, "cat", "/sys/class/net/"
                + ContainerNetwork.HOSTS_BRIDGE + "/address"), 30).stdout().strip();
        assertMigrationRefused(tree, client, network, ipv6 + ", the address of the container's eth0, is in use on "
                + "the destination's segment (bridge " + ContainerNetwork.HOSTS_BRIDGE + ") by " + other);
    }

    /** An interface Haul cannot move (a macvlan) is refused at the source, naming it and its kind. */
    @Test
    public void aTreeWithAMacvlanIsRefusedNamingTheInterface() throws Exception {
        ContainerNetwork network = ContainerNetwork.on("hnet6", cluster.segmentAddress(55), "02:00:a9:fe:54:37");
        Workload tree = networked("macvlan", network, null);
        run("ip -n " + cluster.a.name + " link add hmv0 link haulbr0 type macvlan mode bridge && ip -n "
                + cluster.a.name + " link set hmv0 netns " + tree.root(), null);
        EchoClient client = connected(network);
        assertMigrationRefused(tree, client, network, "hmv0", "macvlan");
    }

    /**
     * A tree that shares hostA's network and holds a connection to hostC: its socket is bound to hostA's
     * address, which hostB does not have, so it is refused before anything freezes, naming the connection.
     */
    @Test
    public void aTreeOnItsHostsNetworkWithAConnectionToElsewhereIsRefusedNamingIt() throws Exception {
        try (java.net.ServerSocket server = NetNs.in(cluster.hostC(), () -> new java.net.ServerSocket(7008, 1,
                java.net.InetAddress.getByName(cluster.segmentAddress(3))))) {
            Workload tree = Workload.connectedTo(cluster, "host-socket", MIB, cluster.segmentAddress(3), 7008);
            trees.add(tree);
            Workload.Status before = tree.awaitCountAbove(2, 30);
            Commands.Result result = cluster.clientLive(cluster.a, "migrate", "process:" + tree.root(), "--to",
                    cluster.b.name).result(MIGRATE_SECONDS);
            String text = result.output();
            System.out.println("NetworkIT refusal (host socket): migrate printed:\n" + text);
            assertNotEquals("migrate exits non-zero:\n" + text, 0, result.exitCode());
            assertTrue("the refusal names the connection:\n" + text, text.contains(cluster.segmentAddress(1) + ":")
                    && text.contains("-> " + cluster.segmentAddress(3) + ":7008"));
            assertEquals("the same tree runs on hostA", tree.root(), tree.assertOneRunningCopy(cluster.a.name,
                    before.count()));
        }
    }

    private void assertRefused(String name, ContainerNetwork network, String... named) throws Exception {
        Workload tree = networked(name, network, null);
        assertMigrationRefused(tree, connected(network), network, named);
    }

    /** {@code client} null: a tree nothing on the segment reaches. */
    private void assertMigrationRefused(Workload tree, EchoClient client, ContainerNetwork network, String... named)
            throws Exception {
        Workload.Status before = tree.awaitCountAbove(2, 30);
        Commands.Result result = cluster.clientLive(cluster.a, "migrate", "process:" + tree.root(), "--to",
                cluster.b.name).result(MIGRATE_SECONDS);
        String text = result.output();
        System.out.println("NetworkIT refusal (" + String.join(", ", named) + "): migrate printed:\n" + text);
        assertNotEquals("migrate exits non-zero:\n" + text, 0, result.exitCode());
        for (String word : named) {
            assertTrue("the refusal names " + word + ":\n" + text, text.contains(word));
        }
        assertEquals("the same tree runs on hostA", tree.root(), tree.assertOneRunningCopy(cluster.a.name,
                before.count()));
        assertFalse("nothing of it on hostB", network.hostEndIn(cluster.b.name));
        if (client != null) {
            client.assertEchoes("the client's connection goes on", client.echoed() + 100, 30);
            EchoClient.Report seen = client.stop();
            assertTrue("the client saw every line echoed once, in order: " + seen, seen.intact());
        }
    }

    private Workload networked(String name, ContainerNetwork network, Path held) throws Exception {
        Workload tree = Workload.networked(cluster, name, MIB, PORT, network, held);
        trees.add(tree);
        return tree;
    }

    private EchoClient connected(ContainerNetwork network) throws Exception {
        EchoClient client = EchoClient.connect(cluster.hostC(), network.address(), PORT);
        clients.add(client);
        client.assertEchoes("the client's first echoes come", 20, 30);
        return client;
    }

    /** Runs a shell command that must succeed, and remembers its undoing for after the test. */
    private void run(String command, String undoing) throws Exception {
        Commands.Result result = Commands.run(List.of("sh", "-c", command), 30);
        assertEquals(command + " failed: " + result.output(), 0, result.exitCode());
        if (undoing != null) {
            undo.add(undoing);
        }
    }

    /**
     * No CRIU network-lock rule and no frame drop of Haul's on either host, nor a CRIU rule in the tree's own
     * namespace (pid {@code root}).
     */
    private static void assertNoLockRules(long root) throws Exception {
        for (TwoHostCluster.Agent host : List.of(cluster.a, cluster.b)) {
            String rules = Commands.run(List.of("ip", "netns", "exec", host.name, "iptables", "-S"), 30).output();
            assertFalse("no CRIU rule is left on " + host + ":\n" + rules, rules.contains("CRIU"));
            String drops = Commands.run(List.of("ip", "netns", "exec", host.name, "ebtables", "-L"), 30).output();
            assertFalse("no frame drop of Haul's is left on " + host + ":\n" + drops, drops.contains("HAUL-HOLD"));
        }
        String inside = Commands.run(List.of("nsenter", "--net=/proc/" + root + "/ns/net", "iptables", "-S"), 30)
                .output();
        assertFalse("the tree's own namespace is unlocked:\n" + inside, inside.contains("CRIU"));
    }
}
