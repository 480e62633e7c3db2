package io.haul.namespaces;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.criu.CriuOptions;
import io.haul.api.namespace.HaulNamespace;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceInstance;
import io.haul.api.namespace.NamespaceInstance.Place;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespacePlan;
import io.haul.api.namespace.NamespaceTree;
import io.haul.host.net.IpLinks;
import io.haul.host.net.NetAddress;
import io.haul.host.net.NetLink;
import io.haul.host.net.TcpSocket;
import io.haul.host.proc.Namespaces;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The net namespace. CRIU recreates a tree's own network namespace with its interfaces, addresses, routes and
 * neighbours, and nested ones with what links them inside the tree. What joins the container's namespace to its
 * host is the handler's: a veth whose host end is a port of a bridge (what LXC and the CNI bridge plugin make).
 * The source describes each such veth ({@link ContainerVeth}); the destination checks its bridge (or the one a
 * {@link BridgeMapping} names), the host end's name, the MTU and that nobody else on the segment has the
 * container's addresses, then has CRIU make the host end on that bridge ({@code veth[IN]:OUT@BRIDGE}). Once the
 * container runs there, a gratuitous ARP for each address tells the segment at once, and the bridge's forwarding
 * table is checked to follow. The source's host end goes with the source's namespace, when CRIU ends the tree.
 * Any other kind of interface (macvlan, vxlan, a veth to another container) is refused before anything freezes.
 */
@Component(service = NamespaceHandler.class, configurationPid = NetworkConfiguration.PID)
@Designate(ocd = NetworkConfiguration.class)
@HaulNamespace("net")
public final class NetworkNamespaceHandler extends KindHandler {

    private static final Logger LOG = LoggerFactory.getLogger(NetworkNamespaceHandler.class);

    private final HostNetwork network;
    private final Executor announcing;
    private volatile BridgeMapping bridges = BridgeMapping.SAME_NAMES;

    public NetworkNamespaceHandler() {
        this(Namespaces.system(), HostNetwork.system(),
                task -> Thread.ofPlatform().daemon().name("haul-net-announce").start(task));
    }

    /**
     * @param announcing runs the announcements of a copy that runs, apart: arping lingers a second after sending.
     *                   A platform thread: waiting for a process could hold one of the few carriers of virtual
     *                   threads (two on a 2-core host), and the migration's own virtual thread then waits to
     *                   confirm the commit
     */
    NetworkNamespaceHandler(Namespaces namespaces, HostNetwork network, Executor announcing) {
        super(NamespaceKind.NET, namespaces);
        this.network = network;
        this.announcing = announcing;
    }

    @Activate
    @Modified
    void configure(NetworkConfiguration configuration) {
        bridges = BridgeMapping.parse(configuration.bridges());
    }

    void bridges(BridgeMapping mapping) {
        bridges = mapping;
    }

    @Override
    boolean criuMovesNested() {
        return true;
    }

    @Override
    Map<String, String> facts(NamespaceTree tree) throws HaulException {
        List<NamespaceInstance> instances = tree.of(NamespaceKind.NET);
        if (instances.isEmpty()) {
            return Map.of();
        }
        NamespaceInstance top = instances.getFirst();
        List<NetLink> links = network.ofProcess(top.firstPid());
        Map<String, String> facts = new HashMap<>();
        facts.put("interfaces", links.stream().map(NetLink::name).collect(Collectors.joining(",")));
        if (top.place() == Place.CONTAINER) {
            boolean outward = links.stream().anyMatch(l -> l.veth() && l.peerElsewhere());
            List<ContainerVeth> veths = veths(top, links, outward ? nestedLinks(instances) : List.of());
            if (!veths.isEmpty()) {
                facts.put(ContainerVeth.FACT, ContainerVeth.toFact(veths));
            }
        } else {
            refuseHostAddressSockets(top);
        }
        return facts;
    }

    /**
     * A tree in its host's namespace keeps the sockets bound to loopback or to any address; one bound to an
     * address of this host (every established connection to elsewhere is) could only be restored where that
     * address is, and another host does not have it: CRIU's restore would fail with the tree already frozen.
     */
    private void refuseHostAddressSockets(NamespaceInstance host) throws HaulException {
        List<TcpSocket> bound = network.socketsOf(host.pids()).stream()
                .filter(socket -> !socket.loopback() && !socket.wildcard()).toList();
        if (!bound.isEmpty()) {
            throw new HaulException("network.host-address", "the tree shares this host's network and holds TCP "
                    + "sockets bound to this host's address (" + bound.stream().limit(3).map(TcpSocket::toString)
                    .collect(Collectors.joining(", ")) + (bound.size() > 3 ? ", ..." : "") + "), which another "
                    + "host does not have; to keep its connections, give it a network namespace of its own with a "
                    + "veth on the hosts' bridge (README: Networks)");
        }
    }

    /** The veths that join the container's namespace to this host's bridges; refuses any other way out. */
    private List<ContainerVeth> veths(NamespaceInstance top, List<NetLink> links, List<NetLink> nested)
            throws HaulException {
        List<NetLink> host = null;
        List<ContainerVeth> veths = new ArrayList<>();
        for (NetLink link : links) {
            if (link.loopback() || (link.veth() && !link.peerElsewhere())) {
                continue; // CRIU moves both ends of a veth inside the namespace itself
            }
            if (link.veth() && peerOf(link, nested).isPresent()) {
                continue; // a veth to a nested namespace of the tree: CRIU dumps and makes both ends too
            }
            if (!link.veth()) {
                throw refusal(top, "its interface " + link.name() + " is a " + (link.kind().isEmpty() ? "device"
                        : link.kind()) + " interface; Haul moves veth interfaces whose host end is a port of a bridge");
            }
            host = host != null ? host : network.here();
            NetLink hostEnd = peerOf(link, host).orElseThrow(() -> refusal(top, "the peer of its veth " + link.name()
                    + " is not in this host's network namespace (another container's?); Haul moves veths whose "
                    + "host end is a port of one of the host's bridges"));
            if (hostEnd.master().isEmpty()) {
                throw refusal(top, "the host end " + hostEnd.name() + " of its veth " + link.name()
                        + " is not a port of a bridge, so nothing on the destination would reach it");
            }
            NetLink master = IpLinks.named(host, hostEnd.master()).orElseThrow(() -> refusal(top, "the host end "
                    + hostEnd.name() + " of its veth " + link.name() + " has a master " + hostEnd.master()
                    + " that is not listed"));
            if (!master.bridge()) {
                throw refusal(top, "the host end " + hostEnd.name() + " of its veth " + link.name() + " is a port of "
                        + master.name() + ", a " + master.kind() + ", not a bridge");
            }
            veths.add(new ContainerVeth(link.name(), link.mac(), link.mtu(), hostEnd.name(), master.name(),
                    // the link-local address made from the MAC comes again with it; CRIU restores the others
                    link.addresses().stream().filter(a -> !a.madeFromMac(link.mac()))
                            .map(NetAddress::toString).toList()));
        }
        return veths;
    }

    /** The interfaces of the tree's nested network namespaces, where the peers of its inner veths are. */
    private List<NetLink> nestedLinks(List<NamespaceInstance> instances) throws HaulException {
        List<NetLink> links = new ArrayList<>();
        for (NamespaceInstance instance : instances) {
            if (instance.place() == Place.NESTED) {
                links.addAll(network.ofProcess(instance.firstPid()));
            }
        }
        return links;
    }

    /**
     * How the container's own namespace moves, for haul:namespaces and the NETWORK column of haul:ps: each veth to
     * the host's bridge with its addresses ("veth eth0 on bridge haulbr0 (host end hnet1), 169.254.91.50/24").
     */
    @Override
    String help(NamespaceInstance instance, NamespacePlan plan) {
        String veths = plan.facts().getOrDefault(ContainerVeth.FACT, "");
        if (instance.place() != Place.CONTAINER || veths.isEmpty()) {
            return "";
        }
        try {
            return ContainerVeth.fromFact(veths).stream().map(ContainerVeth::describe)
                    .collect(Collectors.joining("; ")) + ": moves to the destination's bridge, announced there";
        } catch (HaulException e) {
            return "";
        }
    }

    @Override
    String hostDetail(NamespaceInstance instance) {
        return "host network: the host's addresses stay behind (sockets on loopback or any address move)";
    }

    /** The host's end of a container's veth: the veth whose peer it is, both ways. */
    private static Optional<NetLink> peerOf(NetLink inside, List<NetLink> host) {
        return host.stream().filter(link -> link.veth() && link.index() == inside.peerIndex()
                && link.peerIndex() == inside.index()).findFirst();
    }

    @Override
    public CriuOptions prepare(NamespacePlan plan, Path migrationDir) throws HaulException {
        super.prepare(plan, migrationDir);
        List<ContainerVeth> veths = ContainerVeth.fromFact(plan.facts().get(ContainerVeth.FACT));
        if (veths.isEmpty()) {
            return CriuOptions.NONE;
        }
        List<NetLink> here = network.here();
        CriuOptions options = CriuOptions.NONE;
        for (ContainerVeth veth : veths) {
            String bridge = checkBridge(veth, here);
            checkSegment(veth, bridge);
            options = options.withExternal(veth.criuExternal(bridge));
        }
        return options;
    }

    /** The bridge the host end goes on, checked: it exists and is up, the name is free, the MTU matches. */
    private String checkBridge(ContainerVeth veth, List<NetLink> here) throws HaulException {
        String bridge = bridges.here(veth.bridge());
        String of = "the container's " + veth.name() + " (host end " + veth.hostEnd() + " on the source's bridge "
                + veth.bridge() + ")";
        NetLink found = IpLinks.named(here, bridge).filter(NetLink::bridge).orElseThrow(() -> new HaulException(
                "network.no-bridge", "the destination has no bridge " + bridge + " for " + of + "; make one on the "
                + "segment, or name one of this host's bridges for it in " + NetworkConfiguration.PID
                + " bridges (" + veth.bridge() + "=BRIDGE)"));
        if (!found.up()) {
            throw new HaulException("network.no-bridge", "the destination's bridge " + bridge + " for " + of
                    + " is down");
        }
        if (IpLinks.named(here, veth.hostEnd()).isPresent()) {
            throw new HaulException("network.name-taken", "the destination has an interface named " + veth.hostEnd()
                    + " already, the name of the host end of " + of);
        }
        if (found.mtu() != veth.mtu()) {
            throw new HaulException("network.mtu", "the MTU of " + of + " is " + veth.mtu() + ", the destination's "
                    + "bridge " + bridge + " has " + found.mtu() + "; they must match, or the frames the larger side sends "
                    + "are dropped by the smaller");
        }
        return bridge;
    }

    /**
     * Nobody but the container itself answers for its addresses on the destination's segment: ARP for IPv4, a
     * neighbour solicitation for IPv6 (the container's own answer, from the source, does not count).
     */
    private void checkSegment(ContainerVeth veth, String bridge) throws HaulException {
        if (!veth.ipv4().isEmpty()) {
            Usability arp = network.arp();
            if (!arp.usable()) {
                throw new HaulException("network.no-arping", "cannot check the container's addresses on the "
                        + "destination's segment: " + arp.reason());
            }
            for (String address : veth.ipv4()) {
                refuseOthers(veth, bridge, address, network.answering(bridge, address));
            }
        }
        if (!veth.ipv6().isEmpty()) {
            Usability solicitation = network.neighbourSolicitation();
            if (!solicitation.usable()) {
                throw new HaulException("network.no-ndisc6", "cannot check the container's IPv6 addresses on the "
                        + "destination's segment: " + solicitation.reason());
            }
            for (String address : veth.ipv6()) {
                refuseOthers(veth, bridge, address, network.answeringIpv6(bridge, address));
            }
        }
    }

    private static void refuseOthers(ContainerVeth veth, String bridge, String address, Set<String> answering)
            throws HaulException {
        Set<String> others = new TreeSet<>(answering);
        others.remove(veth.mac());
        if (!others.isEmpty()) {
            throw new HaulException("network.address-in-use", address + ", the address of the container's "
                    + veth.name() + ", is in use on the destination's segment (bridge " + bridge + ") by "
                    + String.join(", ", others) + "; the container's own hardware address is " + veth.mac());
        }
    }

    @Override
    public void running(NamespacePlan plan, long rootPid) {
        List<ContainerVeth> veths;
        try {
            veths = ContainerVeth.fromFact(plan.facts().get(ContainerVeth.FACT));
        } catch (HaulException e) {
            return; // prepare() refused it already
        }
        for (ContainerVeth veth : veths) {
            if (!veth.ipv4().isEmpty()) {
                // beside the announcements, not after them: arping lingers; the copy's ACKs teach the bridges too
                announcing.execute(() -> promptPeers(rootPid, veth));
            }
            for (String address : veth.ipv4()) {
                announcing.execute(() -> announce(rootPid, veth, address));
            }
            announcing.execute(() -> advertiseIpv6(rootPid, veth));
        }
    }

    /**
     * The copy's TCP peers retransmit at once instead of when their backed-off timers say (README "Networks": the
     * client's pause beyond the freeze); IPv4 connections only.
     */
    private void promptPeers(long rootPid, ContainerVeth veth) {
        Usability prompt = network.peerPrompt();
        if (!prompt.usable()) {
            LOG.info("not prompting the TCP peers of pid {}: {}; they retransmit when their timers say", rootPid,
                    prompt.reason());
            return;
        }
        try {
            String done = network.promptPeers(rootPid, veth.name());
            LOG.info("prompted the TCP peers of pid {}'s {} to retransmit now: {}", rootPid, veth.name(),
                    done.isEmpty() ? "no connection to another host" : done.replace('\n', ';'));
        } catch (HaulException e) {
            LOG.warn("cannot prompt the TCP peers of pid {}'s {}: {}; they retransmit when their timers say",
                    rootPid, veth.name(), e.getMessage());
        }
    }

    /**
     * An unsolicited neighbour advertisement for each IPv6 address the copy's interface has now (its link-local
     * ones too, which CRIU restored or the kernel made from the same MAC), as the gratuitous ARP does for IPv4.
     */
    private void advertiseIpv6(long rootPid, ContainerVeth veth) {
        try {
            List<String> ipv6 = IpLinks.named(network.ofProcess(rootPid), veth.name()).map(link -> link.addresses()
                    .stream().filter(a -> !a.ipv4()).map(NetAddress::address).toList()).orElse(List.of());
            if (ipv6.isEmpty()) {
                return;
            }
            Usability tool = network.neighbourAdvertisement();
            if (!tool.usable()) {
                LOG.warn("cannot advertise {} of pid {}'s {}: {}; IPv6 peers learn it when their caches expire", ipv6,
                        rootPid, veth.name(), tool.reason());
                return;
            }
            for (String address : ipv6) {
                network.advertise(rootPid, veth.name(), veth.mac(), address);
                LOG.info("advertised {} ({}) of pid {}'s {} to the segment", address, veth.mac(), rootPid, veth.name());
            }
        } catch (HaulException e) {
            LOG.warn("cannot advertise the IPv6 addresses of pid {}'s {}: {}; peers learn them when their caches "
                    + "expire", rootPid, veth.name(), e.getMessage());
        }
    }

    private void announce(long rootPid, ContainerVeth veth, String address) {
        try {
            network.announce(rootPid, veth.name(), address);
            checkForwarding(veth, hostEndNow(rootPid, veth));
        } catch (HaulException e) {
            LOG.warn("cannot announce {} of pid {}'s {} on the segment: {}; peers learn it when their caches "
                    + "expire", address, rootPid, veth.name(), e.getMessage());
        }
    }

    /**
     * The host end of the restored copy's veth: CRIU makes it with the source's name; a runtime that makes the
     * container's network itself (Docker's engine) names it its own way.
     */
    private String hostEndNow(long rootPid, ContainerVeth veth) {
        try {
            Optional<NetLink> inside = IpLinks.named(network.ofProcess(rootPid), veth.name());
            if (inside.isPresent()) {
                return peerOf(inside.get(), network.here()).map(NetLink::name).orElse(veth.hostEnd());
            }
        } catch (HaulException e) {
            LOG.debug("cannot read pid {}'s interfaces: {}", rootPid, e.getMessage());
        }
        return veth.hostEnd();
    }

    /** The bridge forwards to the new host end: it learnt the MAC from the announcement (or the traffic). */
    private void checkForwarding(ContainerVeth veth, String hostEnd) {
        String bridge = bridges.here(veth.bridge());
        try {
            Optional<String> port = network.portOf(bridge, veth.mac());
            if (port.isPresent() && !port.get().equals(hostEnd)) {
                LOG.warn("the bridge {} forwards {} (the container's {}) to {}, not to its host end {}", bridge,
                        veth.mac(), veth.name(), port.get(), hostEnd);
            } else {
                LOG.info("the bridge {} forwards {} (the container's {}) to {}", bridge, veth.mac(), veth.name(),
                        port.orElse("nothing yet (it floods until it learns)"));
            }
        } catch (HaulException e) {
            LOG.warn("cannot read the forwarding table of {}: {}", bridge, e.getMessage());
        }
    }
}
