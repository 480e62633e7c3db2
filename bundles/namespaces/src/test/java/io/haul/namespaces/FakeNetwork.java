package io.haul.namespaces;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.host.net.NetAddress;
import io.haul.host.net.NetLink;
import io.haul.host.net.TcpSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A host's network made up for the net handler's tests: links by namespace, who answers ARP, what was announced. */
final class FakeNetwork implements HostNetwork {

    final List<NetLink> host = new ArrayList<>();
    final Map<Long, List<NetLink>> byPid = new HashMap<>();
    final Map<String, Set<String>> answering = new HashMap<>();
    final List<String> announced = new ArrayList<>();
    final List<String> advertised = new ArrayList<>();
    final List<String> prompted = new ArrayList<>();
    final Map<String, String> forwarding = new HashMap<>();
    final List<TcpSocket> sockets = new ArrayList<>();
    Usability arp = Usability.yes();
    Usability solicitation = Usability.yes();

    /** The link-local address the kernel makes from the containers' MAC 02:00:a9:fe:3c:32. */
    static final String MAC_LINK_LOCAL = "fe80::a9ff:fefe:3c32";

    static NetLink loopback() {
        return new NetLink(1, "lo", "", "00:00:00:00:00:00", 65536, true, "", -1, false,
                List.of(new NetAddress("inet", "127.0.0.1", 8, "host")));
    }

    static NetLink bridge(int index, String name, int mtu) {
        return new NetLink(index, name, "bridge", "02:00:00:00:00:" + index, mtu, true, "", -1, false, List.of());
    }

    /** A veth pair: {@code inside} in the container (index 2), {@code outside} on the host's {@code bridge}. */
    void veth(long pid, String inside, String outside, String bridge, String address) {
        byPid.computeIfAbsent(pid, p -> new ArrayList<>(List.of(loopback()))).add(new NetLink(2, inside, "veth",
                "02:00:a9:fe:3c:32", 1500, true, "", 7, true, List.of(new NetAddress("inet", address, 16, "global"),
                        new NetAddress("inet6", MAC_LINK_LOCAL, 64, "link"))));
        host.add(new NetLink(7, outside, "veth", "0a:00:00:00:00:07", 1500, true, bridge, 2, true, List.of()));
    }

    @Override
    public List<NetLink> here() {
        return host;
    }

    @Override
    public List<NetLink> ofProcess(long pid) throws HaulException {
        List<NetLink> links = byPid.get(pid);
        if (links == null) {
            throw new HaulException("network.tool-failed", "no pid " + pid);
        }
        return links;
    }

    @Override
    public Usability arp() {
        return arp;
    }

    @Override
    public Set<String> answering(String bridge, String ipv4) {
        return answering.getOrDefault(ipv4, Set.of());
    }

    @Override
    public Usability neighbourSolicitation() {
        return solicitation;
    }

    @Override
    public Set<String> answeringIpv6(String bridge, String ipv6) {
        return answering.getOrDefault(ipv6, Set.of());
    }

    @Override
    public void announce(long pid, String ifname, String ipv4) {
        announced.add(pid + " " + ifname + " " + ipv4);
    }

    @Override
    public Usability neighbourAdvertisement() {
        return Usability.yes();
    }

    @Override
    public void advertise(long pid, String ifname, String mac, String ipv6) {
        advertised.add(pid + " " + ifname + " " + mac + " " + ipv6);
    }

    @Override
    public Usability peerPrompt() {
        return Usability.yes();
    }

    @Override
    public String promptPeers(long pid, String ifname) {
        prompted.add(pid + " " + ifname);
        return "";
    }

    @Override
    public List<TcpSocket> socketsOf(List<Long> pids) {
        return sockets;
    }

    @Override
    public Optional<String> portOf(String bridge, String mac) {
        return Optional.ofNullable(forwarding.get(mac));
    }
}
