package io.haul.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.haul.itests.Requirements.HostNeeds;
import io.haul.itests.Requirements.Need;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The restored copy that waits on the destination for the commit point is silent on the segment: the destination's
 * frame drop (ebtables {@code HAUL-HOLD-<id>} on hostB) drops what it sends, while the source, frozen but with its
 * network namespace still there, is the one that answers. The migration is held just before the commit point by the
 * engine's test hold ({@code testHoldAt source:COMMIT}): the copy is restored and held on hostB, the source frozen on
 * hostA, both with the container's address. An ARP request for it (a broadcast) reaches both: from hostA each request
 * is answered once, by the source, and the drop's counter on hostB says the copy's answers met it; hostC, behind
 * hostB's bridge, hears no answer twice. (The drop takes every frame from the container's hardware address on
 * hostB's bridge, so while held the source's answers to hostC are dropped there too: the source is frozen, its
 * traffic locked, and only its kernel's ARP answers pass.) Released, the migration commits: the drop is gone, the
 * copy answers hostC alone, and the client's connection is whole. Hosts netxA/netxB/netxC,
 * 169.254.104.0/24.
 */
@HostNeeds({Need.ROOT, Need.UNSHARE, Need.CRIU, Need.ARPING})
public class HeldCopySilenceIT {

    private static final int MIB = 16;
    private static final int PORT = 7009;
    private static final int PROBES = 3;
    private static final int HELD_SECONDS = 120;
    /** ebtables -L --Lc: "-s 2:0:a9:fe:68:32 -j DROP , pcnt = 3 -- bcnt = 126" (no leading zeros in the MAC). */
    private static final Pattern SOURCE_DROPS = Pattern.compile("^-s \\S+ -j DROP , pcnt = (\\d+)", Pattern.MULTILINE);
    /** arping: "Received 3 response(s)". */
    private static final Pattern RESPONSES = Pattern.compile("Received (\\d+) response");

    private static TwoHostCluster cluster;
    private final List<AutoCloseable> started = new ArrayList<>();

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = TwoHostCluster.start(HeldCopySilenceIT.class, new TwoHostCluster.Options()
                .hosts("netxA", "169.254.104.1", "netxB", "169.254.104.2").clusterName("haulnetx")
                .engineSetting("testHoldAt", "source:COMMIT"));
    }

    @AfterClass
    public static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @After
    public void stopWhatTheTestStarted() throws Exception {
        for (AutoCloseable each : started.reversed()) {
            each.close();
        }
    }

    @Test
    public void theHeldCopyIsSilentUntilTheCommitPointWhileTheSourceAnswers() throws Exception {
        ContainerNetwork network = ContainerNetwork.on("netx1", cluster.segmentAddress(50), "02:00:a9:fe:68:32");
        Workload tree = Workload.networked(cluster, "held-silent", MIB, PORT, network, null);
        started.add(tree);
        EchoClient client = EchoClient.connect(cluster.hostC(), network.address(), PORT);
        started.add(client);
        client.assertEchoes("the client's first echoes come", 20, 30);
        Workload.Status before = tree.awaitCountAbove(2, 30);

        LiveCommand migrate = cluster.clientLive(cluster.a, "migrate", "process:" + tree.root(), "--to",
                cluster.b.name);
        started.add(migrate);
        String id = MigrateOutput.idIn(migrate.awaitLine(l -> l.startsWith("migration "), 60).orElseThrow(() ->
                new AssertionError("migrate printed no first line:\n" + migrate.output()))).orElseThrow();
        cluster.a.awaitLog("migration " + id + ": held at source:COMMIT", HELD_SECONDS);

        // the copy is restored and held on hostB, the source frozen on hostA: both namespaces have the address
        String rules = ebtablesSave(cluster.b);
        String chain = holdChain(rules).orElseThrow(() -> new AssertionError("no HAUL-HOLD chain on hostB while the "
                + "copy is held:\n" + rules));
        // from hostA, where the source is: the source answers each request there; the copy's answers would cross
        // hostB's bridge to reach hostA, and the drop there takes them
        long droppedBefore = droppedFromTheContainer(chain);
        String askedOnA = arping(cluster.a.name, "haulbr0", network.address());
        long droppedDuring = droppedFromTheContainer(chain) - droppedBefore;
        System.out.println("HeldCopySilenceIT: while held, hostA's arping printed:\n" + askedOnA
                + "HeldCopySilenceIT: meanwhile the drop on hostB took " + droppedDuring + " frames from the copy");
        assertEquals("each request from hostA is answered once, by the source, not by the held copy too:\n"
                + askedOnA, PROBES, responses(askedOnA));
        assertTrue("the answers are the container's hardware address:\n" + askedOnA,
                askedOnA.toLowerCase(java.util.Locale.ROOT).contains("[" + network.mac() + "]"));
        assertTrue("the held copy answered each request and the drop on hostB took its answers (" + droppedDuring
                + " frames dropped)", droppedDuring >= PROBES);
        // from hostC, behind hostB's bridge: no answer of the held copy's reaches it (without the drop, two answers
        // would come to each request, the copy's and the source's)
        String askedOnC = arping(cluster.hostC(), "haul-" + cluster.hostC(), network.address());
        System.out.println("HeldCopySilenceIT: while held, hostC's arping printed:\n" + askedOnC);
        assertTrue("no request from hostC is answered twice:\n" + askedOnC, responses(askedOnC) <= PROBES);

        Files.writeString(cluster.a.state.resolve("migrations").resolve(id).resolve("release-hold"), "");
        Commands.Result result = migrate.result(180);
        System.out.println("HeldCopySilenceIT: migrate printed:\n" + result.output());
        assertEquals("migrate exits 0:\n" + result.output(), 0, result.exitCode());
        tree.assertOneRunningCopy(cluster.b.name, before.count());
        assertFalse("no HAUL-HOLD chain left on hostB:\n" + ebtablesSave(cluster.b), holdChainOn(cluster.b).isPresent());
        assertFalse("nor on hostA:\n" + ebtablesSave(cluster.a), holdChainOn(cluster.a).isPresent());

        String after = arping(cluster.hostC(), "haul-" + cluster.hostC(), network.address());
        System.out.println("HeldCopySilenceIT: after the commit, hostC's arping printed:\n" + after);
        assertEquals("the copy answers each request now, alone:\n" + after, PROBES, responses(after));
        client.assertEchoes("the client's connection goes on", client.echoed() + 200, 30);
        EchoClient.Report seen = client.stop();
        assertTrue("the client saw every line echoed once, in order: " + seen, seen.intact());
    }

    /**
     * PROBES ARP requests from interface {@code ifname} of namespace {@code host}, a second apart, and the answers;
     * each a broadcast ({@code -b}: arping would send the next ones to the hardware address that answered, which
     * the bridges forward to one copy only).
     */
    private static String arping(String host, String ifname, String address) throws Exception {
        return Commands.run(List.of("ip", "netns", "exec", host, "arping", "-b", "-c", Integer.toString(PROBES), "-I",
                ifname, address), 30).output();
    }

    private static int responses(String arping) {
        Matcher received = RESPONSES.matcher(arping);
        return received.find() ? Integer.parseInt(received.group(1)) : 0;
    }

    private static java.util.Optional<String> holdChainOn(TwoHostCluster.Agent host) throws Exception {
        return holdChain(ebtablesSave(host));
    }

    private static java.util.Optional<String> holdChain(String ebtablesSave) {
        return ebtablesSave.lines().filter(line -> line.startsWith(":HAUL-HOLD-"))
                .map(line -> line.substring(1).split(" ")[0]).findFirst();
    }

    private static String ebtablesSave(TwoHostCluster.Agent host) throws Exception {
        return Commands.run(List.of("ip", "netns", "exec", host.name, "ebtables-save"), 30).output();
    }

    /** How many frames from the container's hardware address the drop on hostB has dropped so far. */
    private static long droppedFromTheContainer(String chain) throws Exception {
        String listed = Commands.run(List.of("ip", "netns", "exec", cluster.b.name, "ebtables", "-L", chain, "--Lc"),
                30).output();
        Matcher drops = SOURCE_DROPS.matcher(listed);
        if (!drops.find()) {
            throw new AssertionError("no drop of the container's frames in " + chain + ":\n" + listed);
        }
        return Long.parseLong(drops.group(1));
    }
}
