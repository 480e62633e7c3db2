package io.haul.host.net;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.host.exec.BoundedCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * IPv6's "who has this address" on a segment: a neighbour solicitation (RFC 4861, 7.2.2) for the address to its
 * solicited-node group, and the hardware address of every node that answers it, through {@code ndisc6} (Debian:
 * ndisc6) with {@code -m}, so that a second answer is not lost behind the first. The IPv4 twin is
 * {@link Arp#answering}.
 */
public final class NeighbourSolicitation {

    // "Target link-layer address: 4E:58:86:BF:06:52"
    private static final Pattern ANSWER = Pattern.compile("Target link-layer address: ([0-9A-Fa-f:]{17})");
    private static final List<Path> PATH = List.of(Path.of("/usr/bin"), Path.of("/usr/sbin"), Path.of("/bin"),
            Path.of("/sbin"));
    /** ndisc6's exit code when nobody answered: the address is free, an answer rather than a failure. */
    private static final int NO_RESPONSE = 2;

    private NeighbourSolicitation() {
    }

    /** Whether ndisc6 is installed. */
    public static Usability usability() {
        return PATH.stream().anyMatch(dir -> Files.isExecutable(dir.resolve("ndisc6"))) ? Usability.yes()
                : Usability.no("ndisc6 is not installed (Debian: ndisc6; ./haul setup installs it)");
    }

    /**
     * The hardware addresses that answer a solicitation for {@code ipv6} (without its prefix) sent from interface
     * {@code ifname} of this host, waiting {@code wait} for the answers (lower case; empty when nobody has it).
     */
    public static Set<String> answering(String ifname, String ipv6, Duration wait) throws HaulException {
        List<String> command = List.of("ndisc6", "-m", "-n", "-r", "1", "-w", Long.toString(wait.toMillis()), ipv6,
                ifname);
        String output;
        try {
            BoundedCommand.Result result = BoundedCommand.run(new ArrayList<>(command), wait.plusSeconds(5));
            if (result.timedOut() || (result.exitCode() != 0 && result.exitCode() != NO_RESPONSE)) {
                throw new HaulException("network.tool-failed", "cannot ask who has " + ipv6 + " on " + ifname + ": "
                        + String.join(" ", command) + (result.timedOut() ? " did not finish" : " failed ("
                        + result.exitCode() + ")") + ": " + BoundedCommand.lastLines(result.output(), 400).strip());
            }
            output = result.output();
        } catch (IOException e) {
            throw new HaulException("network.tool-failed", "cannot ask who has " + ipv6 + " on " + ifname + ": "
                    + e.getMessage());
        }
        Set<String> macs = new TreeSet<>();
        Matcher answer = ANSWER.matcher(output);
        while (answer.find()) {
            macs.add(answer.group(1).toLowerCase(Locale.ROOT));
        }
        return macs;
    }
}
