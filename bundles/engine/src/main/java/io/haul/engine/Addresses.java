package io.haul.engine;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/** {@code host:port} text, and the address this agent tells others to reach it at. */
final class Addresses {

    private Addresses() {
    }

    static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("an address is host:port, was: " + hostPort);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the port of " + hostPort + " is not a number");
        }
        return new InetSocketAddress(hostPort.substring(0, colon), port);
    }

    static String format(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /** The configured address, else the listen address when it is a specific one, else this host's first IPv4. */
    static String advertised(String configured, InetSocketAddress listening) {
        if (!configured.isBlank()) {
            return configured;
        }
        if (!listening.getAddress().isAnyLocalAddress()) {
            return format(listening);
        }
        return firstIpv4() + ":" + listening.getPort();
    }

    private static String firstIpv4() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address) {
                        return address.getHostAddress();
                    }
                }
            }
        } catch (SocketException ignored) {
            // fall back to loopback: one machine
        }
        return "127.0.0.1";
    }
}
