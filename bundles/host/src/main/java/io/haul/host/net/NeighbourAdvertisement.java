package io.haul.host.net;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.host.exec.BoundedCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * IPv6's gratuitous ARP: an unsolicited neighbour advertisement (RFC 4861, 7.2.6) for an address, with the override
 * flag and the interface's hardware address, sent to all nodes (ff02::1), so that bridges learn the new port and
 * peers that know the address take the hardware address again, at once. Sent with {@code na6} of the SI6 IPv6
 * toolkit (Debian: ipv6toolkit): iputils' arping speaks only IPv4, and ndisc6 only solicits.
 */
public final class NeighbourAdvertisement {

    private static final List<Path> PATH = List.of(Path.of("/usr/sbin"), Path.of("/usr/bin"), Path.of("/sbin"),
            Path.of("/bin"));

    private NeighbourAdvertisement() {
    }

    /** Whether na6 is installed. */
    public static Usability usability() {
        return PATH.stream().anyMatch(dir -> Files.isExecutable(dir.resolve("na6"))) ? Usability.yes()
                : Usability.no("na6 is not installed (Debian: ipv6toolkit; ./haul setup installs it)");
    }

    /**
     * Sends one unsolicited advertisement of {@code ipv6} (without its prefix) from interface {@code ifname}, whose
     * hardware address is {@code mac}, of the network namespace process {@code pid} is in.
     */
    public static void announce(long pid, String ifname, String mac, String ipv6) throws HaulException {
        List<String> command = List.of("nsenter", "--net=/proc/" + pid + "/ns/net", "na6", "-i", ifname, "-s", ipv6,
                "-d", "ff02::1", "-t", ipv6, "-E", mac, "-S", mac, "-o");
        try {
            BoundedCommand.Result result = BoundedCommand.run(new java.util.ArrayList<>(command), Duration.ofSeconds(5));
            if (result.timedOut() || result.exitCode() != 0) {
                throw new HaulException("network.tool-failed", "cannot advertise " + ipv6 + " on " + ifname + " of pid "
                        + pid + ": " + String.join(" ", command) + (result.timedOut() ? " did not finish"
                        : " failed (" + result.exitCode() + ")") + ": "
                        + BoundedCommand.lastLines(result.output(), 400).strip());
            }
        } catch (IOException e) {
            throw new HaulException("network.tool-failed", "cannot advertise " + ipv6 + " on " + ifname + ": "
                    + e.getMessage());
        }
    }
}
