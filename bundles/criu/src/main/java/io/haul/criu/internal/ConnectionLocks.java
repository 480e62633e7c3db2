package io.haul.criu.internal;

import io.haul.api.HaulException;
import io.haul.host.exec.BoundedCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * The per-connection DROP rules CRIU uses to lock the TCP connections of a tree that shares its host's network
 * namespace (a tree with a namespace of its own is locked inside it, whole). CRIU adds them at the dump and
 * expects them at the restore, which unlocks them: on one host they are there, but a destination that lacks them
 * restores the connections unlocked (its log says "Bad rule" for each rule it fails to delete), and the kernel can
 * answer a half-restored connection with a reset ("Can't restore not-sent send queue data: Broken pipe", 6 of 8
 * moves in one report; CRIU 4.2.1 here did not hit it in 5). After a dump that succeeded the source keeps them
 * for connections that will never come back.
 * So the source writes them beside the images ({@link #IMAGE}, read from CRIU's log of the dump), the destination
 * adds them before its restore and removes whatever is left at the end, and the source removes its own at the
 * commit.
 */
final class ConnectionLocks {

    /** The file beside the images that lists the dumped tree's connection locks. */
    static final String IMAGE = "haul-connection-locks.txt";

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLocks.class);
    // "Running iptables [iptables -w -t filter -I INPUT --protocol tcp -m mark ! --mark 0xC114 --source 127.0.0.1
    //  --sport 41234 --destination 127.0.0.1 --dport 7000 -j DROP]"
    private static final Pattern LOGGED = Pattern.compile("Running iptables \\[(ip6?tables)(?: -w)? -t filter -I "
            + "(INPUT|OUTPUT) --protocol tcp -m mark ! --mark (0x[0-9A-Fa-f]{1,8}) --source ([0-9A-Fa-f.:]{2,45}) "
            + "--sport (\\d{1,5}) --destination ([0-9A-Fa-f.:]{2,45}) --dport (\\d{1,5}) -j DROP\\]");
    // a line of IMAGE: "iptables INPUT 0xC114 127.0.0.1 41234 127.0.0.1 7000" (it comes from the peer: checked)
    private static final Pattern LINE = Pattern.compile("(ip6?tables) (INPUT|OUTPUT) (0x[0-9A-Fa-f]{1,8}) "
            + "([0-9A-Fa-f.:]{2,45}) (\\d{1,5}) ([0-9A-Fa-f.:]{2,45}) (\\d{1,5})");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** One rule: what drops one direction of one connection, unless the packet carries CRIU's mark. */
    record Lock(String tool, String chain, String mark, String source, String sourcePort, String destination,
            String destinationPort) {

        private static Lock of(Matcher m) {
            return new Lock(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6), m.group(7));
        }

        /** The command with {@code action}: -I adds, -D deletes, -C checks. */
        List<String> command(String action) {
            return List.of(tool, "-w", "-t", "filter", action, chain, "--protocol", "tcp", "-m", "mark", "!",
                    "--mark", mark, "--source", source, "--sport", sourcePort, "--destination", destination,
                    "--dport", destinationPort, "-j", "DROP");
        }

        String line() {
            return String.join(" ", tool, chain, mark, source, sourcePort, destination, destinationPort);
        }
    }

    private ConnectionLocks() {
    }

    /** The rules CRIU said in its log of a dump that it added. */
    static List<Lock> loggedIn(Path dumpLog) {
        List<Lock> locks = new ArrayList<>();
        try (var lines = Files.lines(dumpLog)) {
            lines.forEach(line -> {
                Matcher logged = LOGGED.matcher(line);
                if (logged.find()) {
                    locks.add(Lock.of(logged));
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("cannot read the dump log {} for CRIU's connection locks: {}", dumpLog, e.getMessage());
        }
        return locks;
    }

    /** Source, the dump held: writes the dump's locks beside its images, for the destination. */
    static void writeBeside(Path dumpLog, Path imageDir) throws HaulException {
        List<Lock> locks = loggedIn(dumpLog);
        if (locks.isEmpty()) {
            return;
        }
        try {
            Files.write(imageDir.resolve(IMAGE), locks.stream().map(Lock::line).toList());
        } catch (IOException e) {
            throw new HaulException("criu.dump-failed", "cannot write the connection locks beside the images: "
                    + e.getMessage());
        }
    }

    /** Destination: the locks the source wrote beside the images, none when it wrote none; refuses a bad line. */
    static List<Lock> readBeside(Path imageDir) throws HaulException {
        Path file = imageDir.resolve(IMAGE);
        if (!Files.exists(file)) {
            return List.of();
        }
        List<Lock> locks = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                Matcher lock = LINE.matcher(line);
                if (!lock.matches()) {
                    throw new HaulException("criu.restore-failed", "the connection locks beside the images hold a "
                            + "line that is not one: '" + (line.length() > 80 ? line.substring(0, 80) + "..." : line)
                            + "'");
                }
                locks.add(Lock.of(lock));
            }
        } catch (IOException e) {
            throw new HaulException("criu.restore-failed", "cannot read " + file + ": " + e.getMessage());
        }
        return locks;
    }

    /**
     * Adds each rule this host does not have yet, and returns those it added: a rule that was there already (a
     * move between two trees on one network namespace) is the source's, and stays its to remove.
     */
    static List<Lock> add(List<Lock> locks) throws HaulException {
        List<Lock> added = new ArrayList<>();
        for (Lock lock : locks) {
            if (run(lock.command("-C")) == 0) {
                continue;
            }
            if (run(lock.command("-I")) != 0) {
                release(added);
                throw new HaulException("criu.restore-failed", "cannot lock the connection " + lock.line()
                        + " before the restore (" + lock.tool() + " failed)");
            }
            added.add(lock);
        }
        if (!added.isEmpty()) {
            LOG.info("locked {} connection directions of the tree to restore, as its dump did", added.size());
        }
        return added;
    }

    /** Deletes the rules; one that is gone already (a restore unlocked it) is no failure. */
    static void release(List<Lock> locks) {
        int removed = 0;
        for (Lock lock : locks) {
            removed += run(lock.command("-D")) == 0 ? 1 : 0;
        }
        if (removed > 0) {
            LOG.info("removed {} of CRIU's connection lock rules", removed);
        }
    }

    private static int run(List<String> command) {
        try {
            return BoundedCommand.run(command, TIMEOUT).exitCode();
        } catch (IOException e) {
            LOG.warn("cannot run {}: {}", command.getFirst(), e.getMessage());
            return -1;
        }
    }
}
