package io.haul.namespaces;

import io.haul.api.HaulException;
import io.haul.json.HaulJson;
import java.util.List;

/**
 * A veth that joins a container's network namespace to its host's bridge, as the source saw it: what the
 * destination needs to make the host end on its bridge and to check the segment first. It travels in the
 * plan's facts as JSON ({@link #FACT}).
 *
 * @param name      the interface's name inside the container ({@code eth0}); CRIU restores it with its MAC,
 *                  MTU, addresses, routes and neighbours
 * @param mac       its hardware address, the one peers know the container by
 * @param mtu       its MTU, which the destination's bridge must have
 * @param hostEnd   the name of the peer in the host's namespace, made again with this name on the destination
 * @param bridge    the bridge the host end is a port of on the source
 * @param addresses its addresses, {@code address/prefix}
 */
record ContainerVeth(String name, String mac, int mtu, String hostEnd, String bridge, List<String> addresses) {

    /** The plan fact that holds the list of a container's veths. */
    static final String FACT = "veths";

    ContainerVeth {
        addresses = List.copyOf(addresses);
    }

    /** The IPv4 addresses, without their prefix: those a gratuitous ARP announces and a probe asks about. */
    List<String> ipv4() {
        return addresses.stream().filter(a -> a.indexOf(':') < 0).map(a -> a.substring(0, a.indexOf('/'))).toList();
    }

    /** The IPv6 addresses, without their prefix: those a neighbour solicitation asks about. */
    List<String> ipv6() {
        return addresses.stream().filter(a -> a.indexOf(':') >= 0).map(a -> a.substring(0, a.indexOf('/'))).toList();
    }

    /** For people: "veth eth0 on bridge haulbr0 (host end hnet1), 169.254.91.50/24". */
    String describe() {
        return "veth " + name + " on bridge " + bridge + " (host end " + hostEnd + ")"
                + (addresses.isEmpty() ? ", no address" : ", " + String.join(" ", addresses));
    }

    /** The CRIU restore option that makes the host end and attaches it to {@code bridgeHere}. */
    String criuExternal(String bridgeHere) {
        return "veth[" + name + "]:" + hostEnd + "@" + bridgeHere;
    }

    static String toFact(List<ContainerVeth> veths) {
        return HaulJson.write(veths);
    }

    static List<ContainerVeth> fromFact(String fact) throws HaulException {
        if (fact == null || fact.isBlank()) {
            return List.of();
        }
        try {
            return List.of(HaulJson.read(fact, ContainerVeth[].class));
        } catch (RuntimeException e) {
            throw new HaulException("check.namespace", "the source's description of the container's veths is not "
                    + "readable: " + e.getMessage());
        }
    }
}
