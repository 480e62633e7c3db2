package io.haul.host.net;

import java.util.List;

/**
 * A network interface of one network namespace, as {@code ip -j -d addr} shows it.
 *
 * @param index     its ifindex in its namespace
 * @param name      its name
 * @param kind      the driver ({@code veth}, {@code bridge}, {@code macvlan}...), "" for a physical or loopback one
 * @param mac       its hardware address, lower case
 * @param mtu       its MTU
 * @param up        administratively up
 * @param master    the bridge (or bond) it is a port of, "" when none
 * @param peerIndex a veth's peer's ifindex (in {@code peerElsewhere}'s namespace), -1 when not known
 * @param peerElsewhere whether that peer is in another network namespace
 * @param addresses its addresses
 */
public record NetLink(int index, String name, String kind, String mac, int mtu, boolean up, String master,
        int peerIndex, boolean peerElsewhere, List<NetAddress> addresses) {

    public NetLink {
        addresses = List.copyOf(addresses);
    }

    public boolean loopback() {
        return name.equals("lo");
    }

    public boolean veth() {
        return kind.equals("veth");
    }

    public boolean bridge() {
        return kind.equals("bridge");
    }

    public List<NetAddress> ipv4() {
        return addresses.stream().filter(NetAddress::ipv4).toList();
    }
}
