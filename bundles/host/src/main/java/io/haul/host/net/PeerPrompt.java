package io.haul.host.net;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.host.exec.BoundedCommand;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

/**
 * Tells a restored container's TCP peers to retransmit now: their segments were dropped while the container was
 * frozen, so each waits in RTO backoff (200 ms, doubling), up to the whole last interval after the copy runs. Inside
 * the copy's namespace, for each established connection, a segment from the peer outside the receive window makes
 * the restored socket send an ACK at once, and ICMP host-unreachable messages quoting the peer's segment at the
 * sequence number that ACK carries undo the peer's backoff (RFC 6069; Linux's {@code tcp_ld_RTO_revert}). Raw IPv4,
 * TCP and packet sockets, so a small Perl program ({@code prompt-peers.pl}, Perl's own Socket module: no tool does
 * this) run there with nsenter; README "Networks" has the figures.
 */
public final class PeerPrompt {

    private static final String SCRIPT = "prompt-peers.pl";
    private static final List<Path> PATH = List.of(Path.of("/usr/bin"), Path.of("/bin"));
    private static volatile Path script;

    private PeerPrompt() {
    }

    /** Whether perl is installed. */
    public static Usability usability() {
        return PATH.stream().anyMatch(dir -> Files.isExecutable(dir.resolve("perl"))) ? Usability.yes()
                : Usability.no("perl is not installed (Debian: perl-base)");
    }

    /**
     * Prompts the peers of the connections in the network namespace of pid {@code pid}, watching for the restored
     * sockets' ACKs on its interface {@code ifname}; returns what it did, a line a connection.
     */
    public static String prompt(long pid, String ifname) throws HaulException {
        List<String> command = List.of("nsenter", "--net=/proc/" + pid + "/ns/net", "perl", script().toString(),
                ifname);
        try {
            BoundedCommand.Result result = BoundedCommand.run(new java.util.ArrayList<>(command), Duration.ofSeconds(10));
            if (result.timedOut() || result.exitCode() != 0) {
                throw new HaulException("network.tool-failed", "cannot prompt the peers of pid " + pid + ": "
                        + String.join(" ", command) + (result.timedOut() ? " did not finish" : " failed ("
                        + result.exitCode() + ")") + ": " + BoundedCommand.lastLines(result.output(), 400).strip());
            }
            return result.output().strip();
        } catch (IOException e) {
            throw new HaulException("network.tool-failed", "cannot prompt the peers of pid " + pid + ": "
                    + e.getMessage());
        }
    }

    /** The program, written out of the bundle once per agent run. */
    private static Path script() throws HaulException {
        Path written = script;
        if (written != null && Files.isRegularFile(written)) {
            return written;
        }
        synchronized (PeerPrompt.class) {
            try (InputStream in = PeerPrompt.class.getResourceAsStream(SCRIPT)) {
                if (in == null) {
                    throw new HaulException("network.tool-failed", "the bundle has no " + SCRIPT);
                }
                Path file = Files.createTempFile("haul-prompt-peers", ".pl");
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                file.toFile().deleteOnExit();
                script = file;
                return file;
            } catch (IOException e) {
                throw new HaulException("network.tool-failed", "cannot write " + SCRIPT + ": " + e.getMessage());
            }
        }
    }
}
