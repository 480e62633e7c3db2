package io.haul.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.haul.itests.Requirements.HostNeeds;
import io.haul.itests.Requirements.Need;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Migrations that fail before their commit point, each for a real reason, end with the tree running on
 * hostA as it was (same process, counter going on, pages intact), nothing of it on hostB, no images left, and
 * a record and a {@code migrate} exit status that say what happened.
 *
 * <p>The transfers that something interrupts are made long enough to act in: 256 MiB of random pages (nothing
 * compresses them), stop-and-copy ({@code --strategy none}: all of it moves in TRANSFER, with the tree
 * frozen), hostA's veth capped at 200 Mbit/s (about 11 s). "Mid-transfer" is seen on hostB's side: its
 * workspace holds 32 MiB of the images.
 */
@HostNeeds({Need.ROOT, Need.UNSHARE, Need.CRIU})
public class RollbackIT {

    /** stepTimeoutSeconds of both engines: how long either side waits for its peer before rolling back. */
    private static final int STEP_SECONDS = 15;
    private static final int MIB = 256;
    private static final String RATE = "200mbit";
    private static final long MIDWAY_BYTES = 32L << 20;
    /** How long a rollback may take beyond the step timeout (a record write waits for a dead member: 10 s). */
    private static final int SLACK_SECONDS = 10;

    private static TwoHostCluster cluster;
    private Workload tree;

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = TwoHostCluster.start(RollbackIT.class,
                new TwoHostCluster.Options().stepTimeoutSeconds(STEP_SECONDS).folderOnlyOnA());
    }

    @AfterClass
    public static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Before
    public void healthyCluster() throws Exception {
        String repaired = cluster.ensureHealthy();
        if (!repaired.isEmpty()) {
            System.out.println("RollbackIT: before the test, " + repaired);
        }
    }

    @After
    public void endTree() throws Exception {
        if (tree != null) {
            tree.close();
        }
        cluster.linkUp();
        cluster.uncapLink();
    }

    /**
     * The destination's CRIU restore fails for real: the tree holds open a file of a folder that hostB does not
     * have (hostB's agent runs where an empty tmpfs covers it), so CRIU on hostB cannot reopen it.
     */
    @Test
    public void restoreFailingOnTheDestinationRollsBack() throws Exception {
        Path held = cluster.onlyOnA().resolve("held.txt");
        Files.writeString(held, "a file only hostA has\n");
        tree = Workload.holding(cluster, "holding", 32, held);
        Workload.Status before = tree.awaitCountAbove(2, 30);
        Procs.Task root = Procs.task(tree.root()).orElseThrow();

        Commands.Result result = cluster.clientLive(cluster.a, "migrate", "process:" + tree.root(), "--to",
                cluster.b.name).result(120);
        String text = result.output();
        System.out.println("RollbackIT restore failure, migrate printed:\n" + text);
        assertNotEquals("migrate exits non-zero when the migration rolled back:\n" + text, 0, result.exitCode());
        assertTrue("migrate's last word names the rollback and the restore:\n" + result.stderr(),
                result.stderr().contains("rolled back") && result.stderr().toLowerCase(Locale.ROOT).contains("restore"));
        assertTrue("migrate says the tree keeps running on " + cluster.a + ":\n" + text,
                text.contains("process:" + tree.root() + " keeps running here"));
        Path log = restoreLog(text);
        assertTrue("the restore log named (" + log + ") is hostB's", log.startsWith(cluster.b.state));
        assertTrue("the restore log named exists: " + log, Files.isRegularFile(log));
        assertTrue("the restore log says which file could not be opened: " + log,
                Files.readString(log).contains("held.txt"));

        String id = new MigrateOutput(result.stdout()).id();
        JsonNode record = cluster.record(cluster.a, id);
        assertEquals("outcome:\n" + record.toPrettyString(), "ROLLED_BACK", record.path("outcome").asText());
        assertEquals("the error's phase", "RESTORE", record.path("error").path("phase").asText());
        assertEquals("the error's code", "criu.restore-failed", record.path("error").path("code").asText());
        assertTrue("the record's error names the restore log " + log + ": " + record.path("error"),
                record.path("error").path("message").asText().contains(log.toString())
                        || record.path("error").path("logFile").asText().equals(log.toString()));

        assertTreeBackOnA(root, before, id);
    }

    /** hostB's agent dies (SIGKILL) while the images travel: the source resumes the tree; B, restarted, settles. */
    @Test
    public void destinationAgentKilledDuringTransferRollsBack() throws Exception {
        tree = Workload.single(cluster, "killed-destination", MIB);
        Workload.Status before = tree.awaitCountAbove(2, 30);
        Procs.Task root = Procs.task(tree.root()).orElseThrow();

        Midway midway = migrateUntilMidway();
        long killedAt = System.nanoTime();
        cluster.b.kill();
        Commands.Result result = midway.migrate.result(STEP_SECONDS + SLACK_SECONDS + 30);
        double rollbackSeconds = (System.nanoTime() - killedAt) / 1e9;
        String text = result.output();
        System.out.printf(Locale.ROOT, "RollbackIT destination killed at %.1f MiB received: migrate ended %.1f s later:%n%s%n",
                midway.receivedBytes / 1048576.0, rollbackSeconds, text);
        assertNotEquals("migrate exits non-zero:\n" + text, 0, result.exitCode());
        assertTrue("migrate says it rolled back:\n" + text, result.stderr().contains("rolled back"));
        JsonNode record = cluster.record(cluster.a, midway.id);
        assertEquals("outcome:\n" + record.toPrettyString(), "ROLLED_BACK", record.path("outcome").asText());
        assertEquals("the error's phase", "TRANSFER", record.path("error").path("phase").asText());
        assertTreeBackOnA(root, before, midway.id);

        // hostB comes back: it joins, sees the migration as rolled back, and keeps nothing of it
        cluster.b.start();
        cluster.awaitCluster(TwoHostCluster.CLUSTER_SECONDS);
        assertEquals("hostB's view of the record", "ROLLED_BACK",
                cluster.record(cluster.b, midway.id).path("outcome").asText());
        assertEquals("the tree still runs only on hostA", 1, tree.copies().size());
        awaitNoLeftovers(midway.id, "after hostB's agent restarted");
    }

    /**
     * hostA's link goes down while the images travel: neither side hears from the other, and the source rolls
     * back within the step timeout. The link comes back afterwards and the cluster is whole again.
     */
    @Test
    public void linkDownDuringTransferRollsBackWithinTheStepTimeout() throws Exception {
        tree = Workload.single(cluster, "link-down", MIB);
        Workload.Status before = tree.awaitCountAbove(2, 30);
        Procs.Task root = Procs.task(tree.root()).orElseThrow();

        Midway midway = migrateUntilMidway();
        long downAt = System.nanoTime();
        cluster.linkDown();
        List<String> problems = new ArrayList<>();
        boolean ended = midway.migrate.awaitEnd(STEP_SECONDS + SLACK_SECONDS);
        double seconds = (System.nanoTime() - downAt) / 1e9;
        if (!ended) {
            problems.add(String.format(Locale.ROOT, "the migration had not ended %.0f s after the link went down "
                    + "(step timeout %d s); tree tasks then: %s", seconds, STEP_SECONDS, tree.tasks()));
            cluster.linkUp();
            if (!midway.migrate.awaitEnd(300)) {
                fail(String.join("\n", problems) + "\nand still not 300 s after the link came back:\n"
                        + midway.migrate.output());
            }
            seconds = (System.nanoTime() - downAt) / 1e9;
        }
        Commands.Result result = midway.migrate.result(1);
        String text = result.output();
        System.out.printf(Locale.ROOT, "RollbackIT link down at %.1f MiB received: migrate ended %.1f s later:%n%s%n",
                midway.receivedBytes / 1048576.0, seconds, text);
        assertNotEquals("migrate exits non-zero:\n" + text, 0, result.exitCode());
        assertTrue("migrate says it rolled back:\n" + text, result.stderr().contains("rolled back"));
        assertTreeBackOnA(root, before, midway.id); // hostA alone: the tree runs there, whether the link is up or not

        cluster.linkUp();
        JsonNode record = cluster.record(cluster.a, midway.id);
        assertEquals("outcome:\n" + record.toPrettyString(), "ROLLED_BACK", record.path("outcome").asText());
        try {
            cluster.awaitCluster(30);
        } catch (AssertionError e) {
            problems.add("30 s after the link came back the cluster is not whole again: " + e.getMessage().lines()
                    .findFirst().orElse(""));
        }
        assertTrue(String.join("\n", problems), problems.isEmpty());
    }

    /** {@code ./haul cancel ID} on hostB while the images travel: the migration is cancelled, the tree runs on. */
    @Test
    public void cancelDuringTransferRollsBack() throws Exception {
        tree = Workload.single(cluster, "cancelled", MIB);
        Workload.Status before = tree.awaitCountAbove(2, 30);
        Procs.Task root = Procs.task(tree.root()).orElseThrow();

        Midway midway = migrateUntilMidway();
        long cancelAt = System.nanoTime();
        Commands.Result cancel = cluster.clientLive(cluster.b, "cancel", midway.id).result(STEP_SECONDS + 60);
        double cancelSeconds = (System.nanoTime() - cancelAt) / 1e9;
        Commands.Result result = midway.migrate.result(30);
        System.out.printf(Locale.ROOT, "RollbackIT cancel at %.1f MiB received returned after %.1f s:%n%s%nmigrate printed:%n%s%n",
                midway.receivedBytes / 1048576.0, cancelSeconds, cancel.output(), result.output());
        assertEquals("cancel exits 0:\n" + cancel.output(), 0, cancel.exitCode());
        assertTrue("cancel prints the record, CANCELLED:\n" + cancel.output(), cancel.stdout().contains("CANCELLED"));
        assertNotEquals("migrate exits non-zero:\n" + result.output(), 0, result.exitCode());
        assertTrue("migrate says it was cancelled:\n" + result.output(), result.stderr().contains("cancelled"));
        JsonNode record = cluster.record(cluster.a, midway.id);
        assertEquals("outcome:\n" + record.toPrettyString(), "CANCELLED", record.path("outcome").asText());
        assertEquals("the error's code", "cancelled", record.path("error").path("code").asText());
        assertTreeBackOnA(root, before, midway.id);
        // a cancel stops a frozen tree's transfer, not waits for its end: at 200 Mbit/s the rest would take ~9 s
        assertTrue(String.format(Locale.ROOT, "the cancel took %.1f s to take effect (the tree stays frozen meanwhile); "
                + "it should stop the transfer within 5 s", cancelSeconds), cancelSeconds <= 5);
    }

    /**
     * The other side of the step timeout: a transfer that takes longer than it but keeps moving is no stall.
     * 256 MiB at 100 Mbit/s take about 22 s, past the 15 s step timeout; the migration must succeed.
     */
    @Test
    public void slowTransferThatKeepsMovingIsNotTakenForAStall() throws Exception {
        tree = Workload.single(cluster, "slow", MIB);
        Workload.Status before = tree.awaitCountAbove(2, 30);
        cluster.capLink("100mbit");
        Commands.Result result = cluster.clientLive(cluster.a, "migrate", "process:" + tree.root(), "--to",
                cluster.b.name, "--strategy", "none").result(180);
        String text = result.output();
        System.out.println("RollbackIT slow transfer, migrate printed:\n" + text);
        assertEquals("a transfer slower than the step timeout but moving succeeds:\n" + text, 0, result.exitCode());
        long root = tree.assertOneRunningCopy(cluster.b.name, before.count());
        assertEquals("the copy that runs is the one the summary names", (long) new MigrateOutput(result.stdout())
                .newRootPid().orElse(-1L), root);
        awaitNoLeftovers(new MigrateOutput(result.stdout()).id(), "after the migration");
    }

    // ---- helpers -------------------------------------------------------------------------------------

    /** A stop-and-copy migration of the tree whose images are partly on hostB now. */
    private record Midway(LiveCommand migrate, String id, long receivedBytes) {
    }

    private Midway migrateUntilMidway() throws Exception {
        cluster.capLink(RATE);
        LiveCommand migrate = cluster.clientLive(cluster.a, "migrate", "process:" + tree.root(), "--to", cluster.b.name,
                "--strategy", "none");
        String first = migrate.awaitLine(l -> l.startsWith("migration "), 60)
                .orElseThrow(() -> new AssertionError("migrate printed no first line:\n" + migrate.output()));
        String id = MigrateOutput.idIn(first).orElseThrow(() -> new AssertionError("no id in: " + first));
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        long received;
        // the images arriving on hostB: no event tells, the workspace is polled
        while ((received = cluster.imageBytes(cluster.b, id)) < MIDWAY_BYTES) {
            if (!migrate.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the transfer never reached " + (MIDWAY_BYTES >> 20) + " MiB on "
                        + cluster.b + " (" + received + " bytes):\n" + migrate.output());
            }
            Thread.sleep(20);
        }
        assertTrue("the transfer is still going on:\n" + migrate.output(), migrate.isAlive());
        return new Midway(migrate, id, received);
    }

    /**
     * The rollback left the tree as it was: the same process runs on, on hostA alone, and nothing of migration
     * {@code id} is left on the agents that run.
     */
    private void assertTreeBackOnA(Procs.Task root, Workload.Status before, String id) throws Exception {
        long running = tree.assertOneRunningCopy(cluster.a.name, before.count());
        assertEquals("the tree that runs is the original, resumed (not a restored copy)", root.pid(), running);
        assertEquals("the original root was resumed, not replaced", root.startTicks(),
                Procs.task(running).orElseThrow().startTicks());
        awaitNoLeftovers(id, "after the rollback");
    }

    private void awaitNoLeftovers(String id, String when) throws Exception {
        TwoHostCluster.Agent[] running = java.util.stream.Stream.of(cluster.a, cluster.b)
                .filter(TwoHostCluster.Agent::alive).toArray(TwoHostCluster.Agent[]::new);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while ((!cluster.leftoverImages(id, running).isEmpty() || !cluster.criuLeftOver().isEmpty())
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals("no images of migration " + id + " left under the agents' migrations/ " + when, List.of(),
                cluster.leftoverImages(id, running));
        assertEquals("no CRIU process left " + when, List.of(), cluster.criuLeftOver());
    }

    private static final Pattern LOG = Pattern.compile("(/\\S+/restore\\.log)");

    private static Path restoreLog(String text) {
        Matcher m = LOG.matcher(text);
        if (!m.find()) {
            throw new AssertionError("migrate names no restore log:\n" + text);
        }
        return Path.of(m.group(1));
    }
}
