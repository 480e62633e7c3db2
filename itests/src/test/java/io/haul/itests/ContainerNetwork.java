package io.haul.itests;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A network for a tree of its own: a veth whose inside end ({@code eth0}, with {@code mac} and
 * {@code address}/24) is in the tree's network namespace and whose host end is a port of the host's bridge, as
 * LXC and the CNI bridge plugin make it. Each test class gives its own names and addresses.
 *
 * @param hostEnd the host end's name (at most 15 characters)
 * @param bridge  the host's bridge it is a port of ({@code haulbr0}, hosts.sh's)
 * @param address the container's IPv4 address on the hosts' segment
 * @param mac     the inside end's hardware address
 * @param mtu     the inside end's MTU
 */
public record ContainerNetwork(String hostEnd, String bridge, String address, String mac, int mtu) {

    public static final String HOSTS_BRIDGE = "haulbr0";

    public static ContainerNetwork on(String hostEnd, String address, String mac) {
        return new ContainerNetwork(hostEnd, HOSTS_BRIDGE, address, mac, 1500);
    }

    public ContainerNetwork withMtu(int newMtu) {
        return new ContainerNetwork(hostEnd, bridge, address, mac, newMtu);
    }

    public ContainerNetwork onBridge(String otherBridge) {
        return new ContainerNetwork(hostEnd, otherBridge, address, mac, mtu);
    }

    /** Makes the veth between host namespace {@code host} and the network namespace of pid {@code pid}. */
    public void attach(String host, long pid) throws IOException, InterruptedException {
        ip("-n", host, "link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", Long.toString(pid));
        ip("-n", host, "link", "set", hostEnd, "master", bridge, "up");
        String inside = "--net=/proc/" + pid + "/ns/net";
        nsenter(inside, "ip", "link", "set", "lo", "up");
        nsenter(inside, "ip", "link", "set", "eth0", "address", mac, "mtu", Integer.toString(mtu));
        nsenter(inside, "ip", "addr", "add", address + "/24", "dev", "eth0");
        nsenter(inside, "ip", "link", "set", "eth0", "up");
    }

    /** Whether host namespace {@code host} has the host end now. */
    public boolean hostEndIn(String host) throws IOException, InterruptedException {
        return Commands.run(List.of("ip", "-n", host, "link", "show", hostEnd), 30).exitCode() == 0;
    }

    /** The port {@code host}'s bridge forwards the container's frames to, "" when it has not learnt one. */
    public String forwardedTo(String host) throws IOException, InterruptedException {
        Commands.Result fdb = Commands.run(List.of("bridge", "-n", host, "fdb", "show", "br", bridge), 30);
        return fdb.stdout().lines().filter(line -> line.startsWith(mac + " dev "))
                .map(line -> line.split(" ")[2]).findFirst().orElse("");
    }

    private static void ip(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(arguments));
        Commands.Result result = Commands.run(command, 30);
        assertEquals(command + " failed: " + result.output(), 0, result.exitCode());
    }

    private static void nsenter(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("nsenter"));
        command.addAll(List.of(arguments));
        Commands.Result result = Commands.run(command, 30);
        assertEquals(command + " failed: " + result.output(), 0, result.exitCode());
    }
}
