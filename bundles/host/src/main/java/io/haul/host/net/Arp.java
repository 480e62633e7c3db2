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
 * ARP on a segment, through iputils' {@code arping}: telling the segment where an address now is (gratuitous
 * ARP, so peers and bridges learn the new port at once instead of after their caches expire), and asking who
 * answers for an address (duplicate address detection, sender 0.0.0.0: the asking host needs no address).
 */
public final class Arp {

    // "Unicast reply from 169.254.60.50 [02:00:A9:FE:3C:32]  0.612ms"
    private static final Pattern REPLY = Pattern.compile("reply from \\S+ \\[([0-9A-Fa-f:]{17})\\]");
    private static final List<Path> PATH = List.of(Path.of("/usr/bin"), Path.of("/usr/sbin"), Path.of("/bin"),
            Path.of("/sbin"));

    private Arp() {
    }

    /** Whether arping is installed (iputils-arping). */
    public static Usability usability() {
        return PATH.stream().anyMatch(dir -> Files.isExecutable(dir.resolve("arping"))) ? Usability.yes()
                : Usability.no("arping is not installed (Debian: iputils-arping; ./haul setup installs it)");
    }

    /**
     * Sends one gratuitous ARP for {@code ipv4} from interface {@code ifname} of the network namespace process
     * {@code pid} is in, and does not wait for anything.
     */
    public static void announce(long pid, String ifname, String ipv4) throws HaulException {
        run(List.of("nsenter", "--net=/proc/" + pid + "/ns/net", "arping", "-q", "-U", "-c", "1", "-w", "0", "-I",
                ifname, ipv4), Duration.ofSeconds(5), "announce " + ipv4 + " on " + ifname + " of pid " + pid, true);
    }

    /**
     * The hardware addresses that answer for {@code ipv4} on interface {@code ifname} of this host, asked
     * {@code probes} times a second apart (lower case; empty when nobody has it).
     */
    public static Set<String> answering(String ifname, String ipv4, int probes) throws HaulException {
        String output = run(List.of("arping", "-D", "-c", Integer.toString(probes), "-w", Integer.toString(probes),
                "-I", ifname, ipv4), Duration.ofSeconds(probes + 5L), "ask who has " + ipv4 + " on " + ifname, false);
        Set<String> macs = new TreeSet<>();
        Matcher reply = REPLY.matcher(output);
        while (reply.find()) {
            macs.add(reply.group(1).toLowerCase(Locale.ROOT));
        }
        return macs;
    }

    /** arping exits 1 when nobody answered (-D: the address is free), which is an answer, not a failure. */
    private static String run(List<String> command, Duration timeout, String what, boolean mustSucceed)
            throws HaulException {
        try {
            BoundedCommand.Result result = BoundedCommand.run(new ArrayList<>(command), timeout);
            boolean failed = result.timedOut() || (mustSucceed ? result.exitCode() != 0 : result.exitCode() > 1);
            if (failed) {
                throw new HaulException("network.tool-failed", "cannot " + what + ": " + String.join(" ", command)
                        + (result.timedOut() ? " did not finish" : " failed (" + result.exitCode() + ")") + ": "
                        + BoundedCommand.lastLines(result.output(), 400).strip());
            }
            return result.output();
        } catch (IOException e) {
            throw new HaulException("network.tool-failed", "cannot " + what + ": " + e.getMessage());
        }
    }
}
