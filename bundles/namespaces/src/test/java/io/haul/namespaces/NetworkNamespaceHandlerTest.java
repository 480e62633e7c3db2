package io.haul.namespaces;

import static io.haul.namespaces.Trees.instance;
import static io.haul.namespaces.Trees.tree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.criu.CriuOptions;
import io.haul.api.namespace.NamespaceInstance.Place;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespacePlan;
import io.haul.api.namespace.NamespaceTree;
import io.haul.api.namespace.NamespaceVerdict;
import io.haul.host.net.NetAddress;
import io.haul.host.net.NetLink;
import io.haul.host.net.TcpSocket;
import io.haul.host.proc.Namespaces;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The net handler's decisions on made-up networks; NetworkNamespaceLiveTest runs it on real ones. */
class NetworkNamespaceHandlerTest {

    private static final Path DIR = Path.of("/nonexistent");
    private final FakeNetwork source = new FakeNetwork();
    private final FakeNetwork destination = new FakeNetwork();

    private static NetworkNamespaceHandler handler(FakeNetwork network) {
        return new NetworkNamespaceHandler(Namespaces.system(), network, Runnable::run);
    }

    private static NamespaceTree ownNamespace(long pid) {
        return tree(pid, instance(NamespaceKind.NET, 2, Place.CONTAINER, pid));
    }

    @Test
    void aTreeWithOnlyLoopbackInItsOwnNamespaceMovesWithNothingToPrepare() throws Exception {
        source.byPid.put(42L, List.of(FakeNetwork.loopback()));
        NamespacePlan plan = handler(source).plan(ownNamespace(42));
        assertTrue(plan.own());
        assertEquals("lo", plan.facts().get("interfaces"));
        assertEquals(CriuOptions.NONE, handler(destination).prepare(plan, DIR));
    }

    @Test
    void aVethOnAHostBridgeIsDescribedAndLandsOnTheDestinationsBridgeOfThatName() throws Exception {
        source.veth(42, "eth0", "vctr0", "br0", "169.254.60.50");
        source.host.add(FakeNetwork.bridge(5, "br0", 1500));
        destination.host.add(FakeNetwork.bridge(9, "br0", 1500));
        destination.answering.put("169.254.60.50", Set.of("02:00:a9:fe:3c:32")); // the container itself, still at A

        NamespacePlan plan = handler(source).plan(ownNamespace(42));
        CriuOptions options = handler(destination).prepare(plan, DIR);

        assertEquals(List.of("veth[eth0]:vctr0@br0"), options.externals());
        List<ContainerVeth> veths = ContainerVeth.fromFact(plan.facts().get(ContainerVeth.FACT));
        assertEquals(List.of(new ContainerVeth("eth0", "02:00:a9:fe:3c:32", 1500, "vctr0", "br0",
                List.of("169.254.60.50/16"))), veths, "the link-local address made from the MAC comes with it, not carried");
    }

    @Test
    void theVerdictsSayHowTheNetworkMovesWithItsAddressesOrThatTheHostsStaysBehind() {
        source.veth(42, "eth0", "vctr0", "br0", "169.254.60.50");
        source.host.add(FakeNetwork.bridge(5, "br0", 1500));
        NamespaceVerdict own = handler(source).verdicts(ownNamespace(42)).getFirst();
        assertEquals(NamespaceVerdict.Action.MOVED_WITH_HAUL, own.action());
        assertTrue(own.detail().startsWith("veth eth0 on bridge br0 (host end vctr0), 169.254.60.50/16: moves"),
                own.detail());

        NamespaceVerdict host = handler(source).verdicts(tree(42, instance(NamespaceKind.NET, 1, Place.HOST, 42L)))
                .getFirst();
        assertEquals(NamespaceVerdict.Action.STAYS_THE_HOSTS, host.action());
        assertTrue(host.detail().startsWith("host network: the host's addresses stay behind"), host.detail());
    }

    @Test
    void aMappedBridgeIsTheOneTheHostEndGoesOn() throws Exception {
        source.veth(42, "eth0", "vctr0", "br0", "169.254.60.50");
        source.host.add(FakeNetwork.bridge(5, "br0", 1500));
        destination.host.add(FakeNetwork.bridge(9, "br-lan", 1500));
        NetworkNamespaceHandler there = handler(destination);
        there.bridges(BridgeMapping.parse(new String[] {"br0=br-lan"}));

        assertEquals(List.of("veth[eth0]:vctr0@br-lan"), there.prepare(handler(source).plan(ownNamespace(42)), DIR)
                .externals());
    }

    @Test
    void theDestinationRefusesWithoutTheBridgeWithTheNameTakenWithAnotherMtuOrWithTheAddressInUse() throws Exception {
        source.veth(42, "eth0", "vctr0", "br0", "169.254.60.50");
        source.host.add(FakeNetwork.bridge(5, "br0", 1500));
        NamespacePlan plan = handler(source).plan(ownNamespace(42));

        assertRefused("network.no-bridge", "br0", plan);
        destination.host.add(FakeNetwork.bridge(9, "br0", 9000));
        assertRefused("network.mtu", "9000", plan);
        destination.host.set(0, FakeNetwork.bridge(9, "br0", 1500));
        destination.host.add(new NetLink(11, "vctr0", "dummy", "0a:00:00:00:00:0b", 1500, true, "", -1, false,
                List.of()));
        assertRefused("network.name-taken", "vctr0", plan);
        destination.host.removeLast();
        destination.answering.put("169.254.60.50", Set.of("02:00:a9:fe:3c:32", "0a:bb:cc:dd:ee:ff"));
        assertRefused("network.address-in-use", "0a:bb:cc:dd:ee:ff", plan);
        destination.answering.clear();
        destination.arp = Usability.no("arping is not installed");
        assertRefused("network.no-arping", "arping", plan);
    }

    /**
     * An IPv6 address not made from the MAC (here a link-local one, as a user gives it) travels with the veth, and
     * the destination solicits it: another node's answer refuses the move naming the address and that node's MAC;
     * the container's own answer (from the source) does not; without ndisc6 the check cannot be done and says so.
     */
    @Test
    void theDestinationRefusesAnIpv6AddressAnotherNodeOnItsSegmentAnswersFor() throws Exception {
        source.veth(42, "eth0", "vctr0", "br0", "169.254.60.50");
        List<NetLink> inside = source.byPid.get(42L);
        NetLink eth0 = inside.getLast();
        List<NetAddress> addresses = new java.util.ArrayList<>(eth0.addresses());
        addresses.add(new NetAddress("inet6", "fe80::a9fe:3c32", 64, "link"));
        inside.set(inside.size() - 1, new NetLink(eth0.index(), eth0.name(), eth0.kind(), eth0.mac(), eth0.mtu(),
                eth0.up(), eth0.master(), eth0.peerIndex(), eth0.peerElsewhere(), addresses));
        source.host.add(FakeNetwork.bridge(5, "br0", 1500));
        destination.host.add(FakeNetwork.bridge(9, "br0", 1500));
        NamespacePlan plan = handler(source).plan(ownNamespace(42));
        assertEquals(List.of("fe80::a9fe:3c32"), ContainerVeth.fromFact(plan.facts().get(ContainerVeth.FACT))
                .getFirst().ipv6(), "the address the user gave travels; the one made from the MAC does not");

        destination.answering.put("fe80::a9fe:3c32", Set.of("02:00:a9:fe:3c:32"));
        assertEquals(List.of("veth[eth0]:vctr0@br0"), handler(destination).prepare(plan, DIR).externals(),
                "the container's own answer is no conflict");
        destination.answering.put("fe80::a9fe:3c32", Set.of("02:00:a9:fe:3c:32", "0a:bb:cc:dd:ee:ff"));
        assertRefused("network.address-in-use", "fe80::a9fe:3c32, the address of the container's eth0, is in use "
                + "on the destination's segment (bridge br0) by 0a:bb:cc:dd:ee:ff", plan);
        destination.answering.clear();
        destination.solicitation = Usability.no("ndisc6 is not installed");
        assertRefused("network.no-ndisc6", "ndisc6", plan);
    }

    private void assertRefused(String code, String named, NamespacePlan plan) {
        HaulException refusal = assertThrows(HaulException.class, () -> handler(destination).prepare(plan, DIR));
        assertEquals(code, refusal.code(), refusal.getMessage());
        assertTrue(refusal.getMessage().contains(named), refusal.getMessage());
    }

    @Test
    void anInterfaceOfAnotherKindIsRefusedByNameAndKind() {
        source.byPid.put(42L, List.of(FakeNetwork.loopback(), new NetLink(3, "mv0", "macvlan", "02:00:00:00:00:03",
                1500, true, "", 2, true, List.of())));
        HaulException refusal = assertThrows(HaulException.class, () -> handler(source).plan(ownNamespace(42)));
        assertEquals("check.namespace", refusal.code());
        assertTrue(refusal.getMessage().contains("mv0") && refusal.getMessage().contains("macvlan"),
                refusal.getMessage());
    }

    @Test
    void aVethWhosePeerIsNotOnTheHostOrNotOnABridgeIsRefused() {
        source.veth(42, "eth0", "vctr0", "", "169.254.60.50");
        HaulException noBridge = assertThrows(HaulException.class, () -> handler(source).plan(ownNamespace(42)));
        assertTrue(noBridge.getMessage().contains("vctr0") && noBridge.getMessage().contains("not a port of a bridge"),
                noBridge.getMessage());
        source.host.clear();
        HaulException elsewhere = assertThrows(HaulException.class, () -> handler(source).plan(ownNamespace(42)));
        assertTrue(elsewhere.getMessage().contains("eth0") && elsewhere.getMessage().contains("not in this host"),
                elsewhere.getMessage());
    }

    @Test
    void aTreeSharingTheHostsNetworkIsNotRefusedForTheHostsInterfaces() throws Exception {
        source.byPid.put(42L, List.of(FakeNetwork.loopback(), FakeNetwork.bridge(5, "br0", 1500)));
        NamespacePlan plan = handler(source).plan(tree(42, instance(NamespaceKind.NET, 1, Place.HOST, 42L)));
        assertFalse(plan.own());
        assertFalse(plan.facts().containsKey(ContainerVeth.FACT));
    }

    @Test
    void aTreeSharingTheHostsNetworkWithAConnectionBoundToTheHostsAddressIsRefusedNamingIt() throws Exception {
        source.byPid.put(42L, List.of(FakeNetwork.loopback()));
        NamespaceTree shared = tree(42, instance(NamespaceKind.NET, 1, Place.HOST, 42L));
        source.sockets.add(new TcpSocket("127.0.0.1", 5000, "127.0.0.1", 40000, TcpSocket.ESTABLISHED));
        source.sockets.add(new TcpSocket("0.0.0.0", 7000, "0.0.0.0", 0, TcpSocket.LISTEN));
        handler(source).plan(shared); // loopback and any-address sockets move with the tree

        source.sockets.add(new TcpSocket("169.254.78.1", 7000, "169.254.78.3", 51000, TcpSocket.ESTABLISHED));
        HaulException refusal = assertThrows(HaulException.class, () -> handler(source).plan(shared));
        assertEquals("network.host-address", refusal.code());
        assertTrue(refusal.getMessage().contains("169.254.78.1:7000 -> 169.254.78.3:51000"), refusal.getMessage());
    }

    @Test
    void aNetworkNamespaceATaskMadeInsideTheTreeMovesWithIt() throws Exception {
        source.byPid.put(42L, List.of(FakeNetwork.loopback()));
        assertTrue(handler(source).plan(tree(42, instance(NamespaceKind.NET, 2, Place.CONTAINER, 42L),
                instance(NamespaceKind.NET, 3, Place.NESTED, 43L))).own());
    }

    @Test
    void aVethBetweenTheTreesNamespaceAndOneNestedInItMovesWithTheTreeAndOneToNowhereIsRefused() throws Exception {
        source.byPid.put(42L, new java.util.ArrayList<>(List.of(FakeNetwork.loopback(), new NetLink(2, "nv0", "veth",
                "02:00:00:00:00:02", 1500, true, "", 2, true, List.of(new NetAddress("inet", "169.254.88.1", 30,
                "global"))))));
        source.byPid.put(43L, List.of(FakeNetwork.loopback(), new NetLink(2, "nv1", "veth", "02:00:00:00:00:03", 1500,
                true, "", 2, true, List.of(new NetAddress("inet", "169.254.88.2", 30, "global")))));
        NamespaceTree nested = tree(42, instance(NamespaceKind.NET, 2, Place.CONTAINER, 42L),
                instance(NamespaceKind.NET, 3, Place.NESTED, 43L));
        NamespacePlan plan = handler(source).plan(nested);
        assertTrue(!plan.facts().containsKey(ContainerVeth.FACT), "no host veth to make: " + plan.facts());

        HaulException refused = assertThrows(HaulException.class, () -> handler(source).plan(tree(42,
                instance(NamespaceKind.NET, 2, Place.CONTAINER, 42L))));
        assertTrue(refused.getMessage().contains("nv0"), refused.getMessage());
    }

    @Test
    void aNestedNetworkNamespaceBelowATreeOnTheHostsNetworkIsRefusedBeforeCriuDumpsIt() {
        source.byPid.put(42L, List.of(FakeNetwork.loopback()));
        HaulException refused = assertThrows(HaulException.class, () -> handler(source).plan(tree(42,
                instance(NamespaceKind.NET, 1, Place.HOST, 42L), instance(NamespaceKind.NET, 3, Place.NESTED, 43L))));
        assertTrue(refused.getMessage().startsWith("nested NET namespace of pid 43"), refused.getMessage());
        assertTrue(refused.getMessage().contains("unshare -n"), "says the way out: " + refused.getMessage());
    }

    @Test
    void theRunningCopyIsAnnouncedForEachAddressIpv6Too() throws Exception {
        source.veth(42, "eth0", "vctr0", "br0", "169.254.60.50");
        source.host.add(FakeNetwork.bridge(5, "br0", 1500));
        NamespacePlan plan = handler(source).plan(ownNamespace(42));

        destination.veth(77, "eth0", "vctr0", "br0", "169.254.60.50"); // the restored copy, with its link-local too

        handler(destination).running(new NamespacePlan(NamespaceKind.NET, true, plan.facts(), CriuOptions.NONE), 77);

        assertEquals(List.of("77 eth0 169.254.60.50"), destination.announced);
        assertEquals(List.of("77 eth0"), destination.prompted, "its TCP peers are told to retransmit now");
        assertEquals(List.of("77 eth0 02:00:a9:fe:3c:32 " + FakeNetwork.MAC_LINK_LOCAL), destination.advertised,
                "its IPv6 address, link-local too, by an unsolicited neighbour advertisement");
    }

    @Test
    void aMalformedBridgeMappingSaysWhich() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BridgeMapping.parse(new String[] {"br0"}));
        assertTrue(e.getMessage().contains("'br0'"));
        assertEquals(Map.of("a", "b"), BridgeMapping.parse(new String[] {" a = b "}).named());
    }
}
