package io.haul.namespaces;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.host.net.Arp;
import io.haul.host.net.BridgeFdb;
import io.haul.host.net.IpLinks;
import io.haul.host.net.NeighbourAdvertisement;
import io.haul.host.net.NeighbourSolicitation;
import io.haul.host.net.NetLink;
import io.haul.host.net.PeerPrompt;
import io.haul.host.net.TcpSocket;
import io.haul.host.net.TcpSockets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The network as the net handler sees and changes it: the host's, a process's namespace's, the segment's. */
interface HostNetwork {

    /** The interfaces of the agent's own namespace, the host's. */
    List<NetLink> here() throws HaulException;

    /** The interfaces of the namespace process {@code pid} is in. */
    List<NetLink> ofProcess(long pid) throws HaulException;

    /** Whether ARP can be sent and asked here. */
    Usability arp();

    /** The hardware addresses that answer for {@code ipv4} on the segment of {@code bridge}. */
    Set<String> answering(String bridge, String ipv4) throws HaulException;

    /** Whether IPv6 neighbours can be solicited here. */
    Usability neighbourSolicitation();

    /** The hardware addresses that answer a neighbour solicitation for {@code ipv6} on the segment of {@code bridge}. */
    Set<String> answeringIpv6(String bridge, String ipv6) throws HaulException;

    /** A gratuitous ARP for {@code ipv4} from interface {@code ifname} of the namespace of pid {@code pid}. */
    void announce(long pid, String ifname, String ipv4) throws HaulException;

    /** Whether unsolicited IPv6 neighbour advertisements can be sent here. */
    Usability neighbourAdvertisement();

    /**
     * An unsolicited neighbour advertisement for {@code ipv6} from interface {@code ifname} (hardware address
     * {@code mac}) of the namespace of pid {@code pid}.
     */
    void advertise(long pid, String ifname, String mac, String ipv6) throws HaulException;

    /** Whether the peers of a restored copy's TCP connections can be prompted to retransmit at once here. */
    Usability peerPrompt();

    /**
     * Prompts the TCP peers of the namespace of pid {@code pid} to retransmit at once, watching its interface
     * {@code ifname}; returns what was done, a line a connection.
     */
    String promptPeers(long pid, String ifname) throws HaulException;

    /** The TCP sockets the processes hold. */
    List<TcpSocket> socketsOf(List<Long> pids);

    /** The port {@code bridge} forwards frames for {@code mac} to. */
    Optional<String> portOf(String bridge, String mac) throws HaulException;

    /** This machine's, through iproute2 and iputils. */
    static HostNetwork system() {
        return new HostNetwork() {
            @Override
            public List<NetLink> here() throws HaulException {
                return IpLinks.here();
            }

            @Override
            public List<NetLink> ofProcess(long pid) throws HaulException {
                return IpLinks.ofProcess(pid);
            }

            @Override
            public Usability arp() {
                return Arp.usability();
            }

            @Override
            public Set<String> answering(String bridge, String ipv4) throws HaulException {
                return Arp.answering(bridge, ipv4, 1);
            }

            @Override
            public Usability neighbourSolicitation() {
                return NeighbourSolicitation.usability();
            }

            @Override
            public Set<String> answeringIpv6(String bridge, String ipv6) throws HaulException {
                return NeighbourSolicitation.answering(bridge, ipv6, Duration.ofSeconds(1));
            }

            @Override
            public void announce(long pid, String ifname, String ipv4) throws HaulException {
                Arp.announce(pid, ifname, ipv4);
            }

            @Override
            public Usability neighbourAdvertisement() {
                return NeighbourAdvertisement.usability();
            }

            @Override
            public void advertise(long pid, String ifname, String mac, String ipv6) throws HaulException {
                NeighbourAdvertisement.announce(pid, ifname, mac, ipv6);
            }

            @Override
            public Usability peerPrompt() {
                return PeerPrompt.usability();
            }

            @Override
            public String promptPeers(long pid, String ifname) throws HaulException {
                return PeerPrompt.prompt(pid, ifname);
            }

            @Override
            public List<TcpSocket> socketsOf(List<Long> pids) {
                return TcpSockets.heldBy(pids);
            }

            @Override
            public Optional<String> portOf(String bridge, String mac) throws HaulException {
                return BridgeFdb.portOf(bridge, mac);
            }
        };
    }
}
