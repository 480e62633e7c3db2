package io.haul.cluster.internal;

import com.hazelcast.cluster.Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * The configured members ({@code members} of {@code haul.cluster}, {@code host[:port]}) as far as Hazelcast's
 * open-source edition lets them bound the cluster: it binds where told and joins whom it is told, but accepts any
 * member that reaches its port and knows the cluster name. So this member binds to the listed address that is its
 * own, and a member that joins from elsewhere is named in the log (its writes are not trusted anyway).
 */
final class JoinList {

    private static final int DEFAULT_PORT = 5701;

    private JoinList() {
    }

    /** Whether {@code address} is one of the listed members (host and port, the port 5701 when unlisted). */
    static boolean lists(List<String> members, Address address) {
        for (String member : members) {
            int colon = member.lastIndexOf(':');
            String host = colon < 0 ? member : member.substring(0, colon);
            int port = colon < 0 ? DEFAULT_PORT : parsePort(member.substring(colon + 1));
            try {
                if (port == address.getPort() && InetAddress.getByName(host).equals(address.getInetAddress())) {
                    return true;
                }
            } catch (UnknownHostException e) {
                // a listed name that does not resolve lists nobody
            }
        }
        return false;
    }

    /** The first listed member that is an address of this host, as an IP. */
    static Optional<String> localMember(List<String> members) {
        for (String member : members) {
            int colon = member.lastIndexOf(':');
            String host = colon < 0 ? member : member.substring(0, colon);
            try {
                InetAddress ip = InetAddress.getByName(host);
                if (!ip.isLoopbackAddress() && NetworkInterface.getByInetAddress(ip) != null) {
                    return Optional.of(ip.getHostAddress());
                }
            } catch (UnknownHostException | SocketException e) {
                // not one of ours
            }
        }
        return Optional.empty();
    }

    private static int parsePort(String port) {
        try {
            return Integer.parseInt(port.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
