package io.haul.criu.internal;

import io.haul.host.exec.BoundedCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-connection DROP rules CRIU adds to lock the TCP connections of a tree that shares its host's network
 * namespace. CRIU lifts them when a dump fails and when a restore on this host unlocks the connections, but not
 * after a dump that succeeded: the connections were to come back here. After a migration's commit they never
 * will, so the source removes them, reading which they are from CRIU's own log of the dump.
 */
final class ConnectionLocks {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLocks.class);
    // "Running iptables [iptables -w -t filter -I INPUT --protocol tcp -m mark ! --mark 0xC114 --source 127.0.0.1
    //  --sport 41234 --destination 127.0.0.1 --dport 7000 -j DROP]"
    private static final Pattern LOCK = Pattern.compile("Running iptables \\[(ip6?tables)( -w)? -t filter -I "
            + "(INPUT|OUTPUT) --protocol tcp -m mark ! --mark (0x[0-9A-Fa-f]+) --source ([0-9A-Fa-f.:]+) --sport (\\d+) "
            + "--destination ([0-9A-Fa-f.:]+) --dport (\\d+) -j DROP\\]");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private ConnectionLocks() {
    }

    /** The commands that delete the rules the dump logged in {@code dumpLog} added. */
    static List<List<String>> releasesFor(Path dumpLog) {
        List<List<String>> releases = new ArrayList<>();
        try (var lines = Files.lines(dumpLog)) {
            lines.forEach(line -> {
                Matcher lock = LOCK.matcher(line);
                if (lock.find()) {
                    releases.add(List.of(lock.group(1), "-w", "-t", "filter", "-D", lock.group(3), "--protocol", "tcp",
                            "-m", "mark", "!", "--mark", lock.group(4), "--source", lock.group(5), "--sport",
                            lock.group(6), "--destination", lock.group(7), "--dport", lock.group(8), "-j", "DROP"));
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.warn("cannot read the dump log {} for CRIU's connection locks: {}", dumpLog, e.getMessage());
        }
        return releases;
    }

    /** Deletes the rules; one that is gone already (a restore on this host unlocked it) is no failure. */
    static void release(Path dumpLog) {
        List<List<String>> releases = releasesFor(dumpLog);
        for (List<String> command : releases) {
            try {
                BoundedCommand.Result result = BoundedCommand.run(command, TIMEOUT);
                if (result.exitCode() != 0) {
                    LOG.debug("{}: {}", String.join(" ", command), result.output().strip());
                }
            } catch (IOException e) {
                LOG.warn("cannot run {}: {}", command.getFirst(), e.getMessage());
            }
        }
        if (!releases.isEmpty()) {
            LOG.info("removed CRIU's {} lock rules of the connections of the dumped tree", releases.size());
        }
    }
}
