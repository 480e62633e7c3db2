package io.haul.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.haul.api.migration.Phase;
import io.haul.itests.Requirements.HostNeeds;
import io.haul.itests.Requirements.Need;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * A live migration between two agents as a user runs it: {@code ./haul migrate process:PID --to hostB} against
 * the agent of hostA, and everything checked from outside the agents (/proc, the tree's own files).
 */
@HostNeeds({Need.ROOT, Need.UNSHARE, Need.CRIU})
public class MigrationIT {

    private static final int MIB = 192;
    private static final double MIGRATE_SECONDS = 240;

    private static TwoHostCluster cluster;

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = TwoHostCluster.start(MigrationIT.class, new TwoHostCluster.Options());
    }

    @AfterClass
    public static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * A connection between two processes of the tree, over the host's loopback, with data queued both sides:
     * CRIU expects its dump's per-connection lock rules where it restores, and a host without them answers the
     * half-restored connection with a reset. Moved there and back, every queued byte arrives once, in order.
     */
    @Test
    public void aTcpConnectionInsideTheTreeWithQueuedDataMovesThereAndBack() throws Exception {
        try (Workload tree = Workload.tcpPair(cluster, "tcp-pair")) {
            Workload.Status before = tree.awaitCountAbove(100, 30);
            long root = tree.root();
            for (TwoHostCluster.Agent[] move : new TwoHostCluster.Agent[][] {{cluster.a, cluster.b}, {cluster.b, cluster.a}}) {
                Commands.Result result = cluster.clientLive(move[0], "migrate", "process:" + root, "--to", move[1].name)
                        .result(MIGRATE_SECONDS);
                System.out.println("MigrationIT tcp pair " + move[0] + " -> " + move[1] + ":\n" + result.output());
                assertEquals("migrate exits 0:\n" + result.output(), 0, result.exitCode());
                root = tree.assertOneRunningCopy(move[1].name, before.count());
                before = tree.status();
                assertEquals("every queued byte arrived once, in order", "OK", before.state());
                // The race the lock closes is rare here, but its absence is plain: CRIU's restore removes the dump's
                // rules when done and complains ("Bad rule") when the destination never had them.
                String restoreLog = Files.readString(move[1].state.resolve("migrations").resolve(new MigrateOutput(result.output()).id())
                        .resolve("logs").resolve("restore.log"));
                assertFalse("the restore ran with the connections locked:\n" + restoreLog, restoreLog.contains("Bad rule"));
                for (TwoHostCluster.Agent host : List.of(cluster.a, cluster.b)) {
                    String rules = Commands.run(List.of("ip", "netns", "exec", host.name, "iptables", "-S"), 30).output();
                    assertFalse("no CRIU lock rule is left on " + host + ":\n" + rules, rules.contains("0xc114"));
                }
            }
        }
    }

    /**
     * Both agents run on this one kernel, where the copy would meet the lock and the FIFO buffer the frozen source
     * still holds (the restore would block on the lock for its whole time limit, the source frozen): refused in the
     * checks, naming both, and the tree runs on untouched.
     */
    @Test
    public void aTreeHoldingAFileLockAndANamedFifoIsRefusedBeforeTheFreezeOnOneKernel() throws Exception {
        Path fifo = cluster.work.resolve("one-kernel.fifo");
        Path locked = cluster.work.resolve("one-kernel.lock");
        assertEquals(0, Commands.run(List.of("mkfifo", fifo.toString()), 10).exitCode());
        try (Workload tree = Workload.lockingWithFifo(cluster, "one-kernel", 8, locked, fifo)) {
            Workload.Status before = tree.awaitCountAbove(1, 30);
            Commands.Result result = cluster.client(cluster.a, "migrate", "process:" + tree.root(), "--to", cluster.b.name);
            assertEquals("migrate exits 1:\n" + result.output(), 1, result.exitCode());
            String id = new MigrateOutput(result.output()).id();
            JsonNode record = cluster.record(cluster.a, id);
            assertEquals(record.toPrettyString(), "check.one-kernel", record.path("error").path("code").asText());
            assertEquals("refused in the checks", "CHECKS", record.path("error").path("phase").asText());
            String message = record.path("error").path("message").asText();
            assertTrue(message, message.contains("(perl) holds a flock on " + locked));
            assertTrue(message, message.contains("(perl) has the named FIFO " + fifo + " open"));
            assertFalse("nothing froze:\n" + result.output(), result.output().contains("FINAL_DUMP"));
            tree.assertOneRunningCopy(cluster.a.name, before.count());
        }
    }

    @Test
    public void treeWithSeveralProcessesPipesAndAnOpenFileMovesWithItsMemory() throws Exception {
        TwoHostCluster.Agent a = cluster.a;
        TwoHostCluster.Agent b = cluster.b;
        Workload tree = Workload.piped(cluster, "piped", MIB);
        List<Procs.Task> original = tree.tasks();
        assertEquals("the tree starts as a shell, the counter and the pipe's reader: " + original, 3, original.size());
        Workload.Status before = tree.awaitCountAbove(2, 30);

        Commands.Result ps = cluster.client(a, "ps", "process");
        assertTrue("haul ps on " + a + " lists process:" + tree.root() + " with 3 processes, migratable:\n" + ps.output(),
                ps.stdout().lines().anyMatch(l -> l.startsWith("process:" + tree.root() + " ")
                        && l.matches(".*\\s3\\s.*\\syes\\s.*")));

        LiveCommand migrate = cluster.clientLive(a, "migrate", "process:" + tree.root(), "--to", b.name);
        Commands.Result result = migrate.result(MIGRATE_SECONDS);
        String text = result.output();
        MigrateOutput out = new MigrateOutput(result.stdout());
        System.out.println("MigrationIT: migrate printed:\n" + text);
        assertEquals("migrate exits 0:\n" + text, 0, result.exitCode());

        // the summary a user reads
        List<String> phases = out.phaseRows();
        for (Phase phase : Phase.values()) {
            assertTrue("the summary's phase table has " + phase + " (it has " + phases + "):\n" + text,
                    phases.contains(phase.name()));
        }
        long newRoot = out.newRootPid().orElseThrow(() -> new AssertionError("no 'new root pid' line:\n" + text));
        assertTrue("the summary names " + b + " as where the new root runs:\n" + text,
                text.contains("new root pid  " + newRoot + " on " + b.name));
        double frozenMillis = out.frozenMillis().orElseThrow(() -> new AssertionError("no 'frozen' line:\n" + text));
        assertTrue("the frozen time is positive: " + frozenMillis, frozenMillis > 0);
        assertTrue("the summary says it succeeded:\n" + text, text.contains(": SUCCEEDED "));

        // at once, while the lazy-pages daemon may still be filling its memory: hostB's ps lists the whole tree
        Commands.Result psOnB = cluster.client(b, "ps", "process");
        assertTrue("haul ps on " + b + " lists process:" + newRoot + " with 3 processes right after the move:\n"
                + psOnB.output(), psOnB.stdout().lines().anyMatch(l -> l.startsWith("process:" + newRoot + " ")
                        && l.matches(".*\\s3\\s.*")));

        // nothing of the tree is left on hostA: its pids are gone (or, reused, belong to another process)
        for (Procs.Task task : original) {
            Procs.task(task.pid()).ifPresent(now -> assertTrue("pid " + task.pid() + " of the tree on " + a
                    + " still runs after the migration: " + now, now.startTicks() != task.startTicks()));
        }
        // exactly one copy, whole, in hostB's network namespace, running, its pages and counter intact
        long root = tree.assertOneRunningCopy(b.name, before.count());
        assertEquals("the copy that runs is the one the summary names", newRoot, root);

        // the pipe still flows into the file the tree holds open: lines keep coming, with counts of after the move
        long logSize = Files.size(tree.log());
        long countNow = tree.status().count();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Files.size(tree.log()) <= logSize || lastPipedCount(tree) <= countNow) {
            assertTrue("the log the tree writes through its pipe stopped growing at " + logSize + " bytes (last line: "
                    + lastLine(tree) + ")", System.nanoTime() < deadline);
            Thread.sleep(100); // the counter writes every 100 ms
        }

        // the record, as any agent of the cluster tells it
        JsonNode record = cluster.record(b, out.id());
        assertEquals("record outcome:\n" + record.toPrettyString(), "SUCCEEDED", record.path("outcome").asText());
        assertEquals("record source", a.name, record.path("source").asText());
        assertEquals("record destination", b.name, record.path("destination").asText());
        assertEquals("record's new root pid", newRoot, record.path("statistics").path("newRootPid").asLong());
        assertTrue("record has no error: " + record.path("error"), record.path("error").isNull()
                || record.path("error").isMissingNode());
        Duration frozen = Duration.parse(record.path("statistics").path("frozen").asText());
        assertTrue("record's frozen time " + frozen + " is positive", !frozen.isZero() && !frozen.isNegative());
        JsonNode listed = cluster.json(a, "migrations", "--json").path("migrations");
        assertTrue("migrations --json on " + a + " lists " + out.id(), listed.findValuesAsText("id").contains(out.id()));

        assertCleanedUp();
        report(out, record, frozenMillis);
    }

    /**
     * A tree moved from A to B, back to A and on to B again, its state checked after each move: CRIU restores a
     * tree into a time namespace of its own, so from the second move on it has one (and a handler for it).
     */
    @Test
    public void aTreeMovesBackAndOnAgainWithItsState() throws Exception {
        try (Workload tree = Workload.single(cluster, "round-trip", 32)) {
            Workload.Status before = tree.awaitCountAbove(2, 30);
            long root = tree.root();
            TwoHostCluster.Agent from = cluster.a;
            for (TwoHostCluster.Agent to : List.of(cluster.b, cluster.a, cluster.b)) {
                Commands.Result result = cluster.clientLive(from, "migrate", "process:" + root, "--to", to.name)
                        .result(MIGRATE_SECONDS);
                System.out.println("MigrationIT round trip " + from + " -> " + to + ":\n" + result.output());
                assertEquals("process:" + root + " moves from " + from + " to " + to + ":\n" + result.output(), 0,
                        result.exitCode());
                root = tree.assertOneRunningCopy(to.name, before.count());
                assertEquals("the summary names the copy that runs", (long) new MigrateOutput(result.stdout())
                        .newRootPid().orElse(-1L), root);
                before = tree.status();
                from = to;
            }
        }
        assertCleanedUp();
    }

    private void assertCleanedUp() throws Exception {
        // the destination drops its images right after confirming the commit: give it a moment
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while ((!cluster.leftoverImages().isEmpty() || !cluster.criuLeftOver().isEmpty()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals("no images left under the agents' migrations/", List.of(), cluster.leftoverImages());
        assertEquals("no CRIU process left under the agents", List.of(), cluster.criuLeftOver());
    }

    /** The figures of the migration, for people reading the test's output. */
    private static void report(MigrateOutput out, JsonNode record, double frozenMillis) {
        JsonNode stats = record.path("statistics");
        JsonNode phases = stats.path("phaseDurations");
        long images = stats.path("imageBytes").asLong();
        long wire = stats.path("bytesOnWire").asLong();
        Duration precopy = Duration.parse(phases.path("PRECOPY").asText("PT0S"));
        Duration transfer = Duration.parse(phases.path("TRANSFER").asText("PT0S"));
        Duration total = Duration.between(java.time.Instant.parse(record.path("started").asText()),
                java.time.Instant.parse(record.path("ended").asText()));
        double moving = (precopy.toNanos() + transfer.toNanos()) / 1e9;
        System.out.printf(Locale.ROOT, "MigrationIT figures: %d MiB tree of 3 processes; frozen %.0f ms; whole migration "
                + "%d ms; %.1f MiB of images, %.1f MiB on the wire in PRECOPY %d ms + TRANSFER %d ms (%.1f MiB/s); "
                + "TRANSFER's last progress line %s MiB/s; %d pre-copy rounds; phases %s%n", MIB, frozenMillis,
                total.toMillis(), images / 1048576.0, wire / 1048576.0, precopy.toMillis(), transfer.toMillis(),
                moving == 0 ? 0 : wire / 1048576.0 / moving,
                out.lastTransferRateMiBps().map(r -> String.format(Locale.ROOT, "%.1f", r)).orElse("?"),
                stats.path("rounds").size(), phases);
    }

    private static long lastPipedCount(Workload tree) throws Exception {
        String[] fields = lastLine(tree).split(" ");
        try {
            return fields.length > 1 && fields[0].equals("piped") ? Long.parseLong(fields[1]) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The last complete line of the tree's log (the writer may be in the middle of the next). */
    private static String lastLine(Workload tree) throws Exception {
        String text = Files.readString(tree.log());
        int end = text.lastIndexOf('\n');
        if (end < 0) {
            return "";
        }
        int start = text.lastIndexOf('\n', end - 1) + 1;
        return text.substring(start, end);
    }
}
