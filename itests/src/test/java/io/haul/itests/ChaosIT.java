package io.haul.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.haul.itests.Requirements.HostNeeds;
import io.haul.itests.Requirements.Need;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The fast part of the fault matrix (issue #11, section 2; the whole of it is {@code ./haul chaos}): one
 * migration per cell on two real agents (hosts chaitA and chaitB, 169.254.101.0/24), held by the engine's test
 * hold at the cell's step ({@link HeldMigration}), the fault injected there, the migration let go. Each cell
 * asserts the one promise: exactly one copy of the workload runs, on the host the commit point says, its counter
 * going on and its pages intact; the record's outcome and error code say so; nothing of the migration is left on
 * either host (images, files sent ahead, page recipes and page store, hold files, CRIU processes, CRIU's lock
 * rules, connections on the migration port).
 */
@HostNeeds({Need.ROOT, Need.UNSHARE, Need.CRIU})
public class ChaosIT {

    private static final int MIB = 16;
    /** The lazy-pages cells' workload: page images under 64 MiB are restored eagerly, with no daemon. */
    private static final int LAZY_MIB = 80;
    /** stepTimeoutSeconds of both engines: how long a side waits for a peer it lost before rolling back. */
    private static final int STEP_SECONDS = 10;
    private static final int SETTLE_SECONDS = 90;
    private static final String HOLDS = "source:CHECKS,source:FINAL_DUMP,source:TRANSFER,source:RESTORE,"
            + "source:COMMIT,source:COMMITTED";

    private static TwoHostCluster cluster;
    private Workload tree;
    /** The cell under test, whose holds are let go if it fails while held. */
    private Cell current;
    private Path stateTmpfs;

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = TwoHostCluster.start(ChaosIT.class, new TwoHostCluster.Options()
                .hosts("chaitA", "169.254.101.1", "chaitB", "169.254.101.2").clusterName("haulchait")
                .stepTimeoutSeconds(STEP_SECONDS).engineSetting("testHoldAt", HOLDS));
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
            System.out.println("ChaosIT: before the test, " + repaired);
        }
    }

    @After
    public void endCell() throws Exception {
        if (current != null && current.migrate.isAlive() && cluster.a.alive()) {
            current.held.releaseUntilEnd(current.migrate, SETTLE_SECONDS); // a cell that failed while held
        }
        current = null;
        if (tree != null) {
            tree.close();
        }
        if (stateTmpfs != null) {
            Commands.run(List.of("umount", "-l", stateTmpfs.toString()), 30);
        }
    }

    @Test
    public void sourceAgentKilledJustAfterTheCommitPoint() throws Exception {
        Cell cell = start("source-agent-after-commit");
        cell.held.runTo("source:COMMITTED", cell.migrate, 120);
        cluster.a.kill(); // CRIU, which held the frozen source tree, goes with it
        cell.held.abandon();
        assertTrue("migrate ended with its agent", cell.migrate.awaitEnd(30));
        // until the agent is back, only the destination's copy may run
        cell.awaitOneCopyOn(cluster.b.name);
        cluster.a.start();
        cluster.awaitCluster(TwoHostCluster.CLUSTER_SECONDS);
        cell.assertPromise(cluster.b, "SUCCEEDED", null);
    }

    @Test
    public void destinationAgentKilledInTransfer() throws Exception {
        Cell cell = start("destination-agent-transfer");
        cell.held.runTo("source:TRANSFER", cell.migrate, 120);
        cluster.b.kill();
        cell.held.release();
        cell.awaitMigrateEnd();
        cluster.b.start();
        cluster.awaitCluster(TwoHostCluster.CLUSTER_SECONDS);
        cell.assertPromise(cluster.a, "ROLLED_BACK", null);
    }

    @Test
    public void sourceCriuKilledWhileItHoldsTheFrozenTree() throws Exception {
        Cell cell = start("source-criu-restore");
        cell.held.runTo("source:RESTORE", cell.migrate, 120);
        List<Procs.Task> criu = criuIn(cluster.a);
        assertTrue("the source's CRIU holds the frozen tree during RESTORE", !criu.isEmpty());
        criu.forEach(t -> ProcessHandle.of(t.pid()).ifPresent(ProcessHandle::destroyForcibly));
        cell.held.release();
        cell.awaitMigrateEnd();
        cell.assertPromise(cluster.a, "ROLLED_BACK", null);
    }

    /**
     * The destination's CRIU, which holds the restored copy mid-restore for the commit, killed just before the
     * source would pass the commit point: the copy's tasks stay, stuck in CRIU's restorer, and can never run; the
     * destination writes the rollback at once, and the source, refused the commit, keeps its copy.
     */
    @Test
    public void destinationCriuKilledWhileItHoldsTheRestoredCopy() throws Exception {
        killedBeforeTheCommitPointRollsBack("destination-criu-before-commit", "the destination's CRIU",
                () -> criuIn(cluster.b));
    }

    /**
     * The destination's CRIU killed just after the source passed the commit point, before the destination was told
     * to run its copy: the copy never ran and cannot, so the destination voids the commit.
     */
    @Test
    public void destinationCriuKilledJustAfterTheCommitPointVoidsIt() throws Exception {
        killedJustAfterTheCommitPointVoidsIt("destination-criu-after-commit", MIB, "the destination's CRIU",
                () -> criuIn(cluster.b), "restore.copy-lost");
    }

    /**
     * The destination's lazy-pages daemon, from which the held copy is to fault its memory in, killed just after the
     * commit point, before the copy was let run: it must not run with memory nobody serves, so the destination voids
     * the commit.
     */
    @Test
    public void lazyPagesDaemonKilledJustAfterTheCommitPointVoidsIt() throws Exception {
        killedJustAfterTheCommitPointVoidsIt("lazy-pages-after-commit", LAZY_MIB, "the destination's lazy-pages daemon",
                () -> criuIn(cluster.b).stream().filter(t -> t.cmdline().contains("lazy-pages")).toList(),
                "lazy-pages daemon");
    }

    /**
     * A cell held at {@code source:COMMITTED} where {@code victims} are killed -9: the destination notices (the test
     * waits for its log line before it lets the source go on) and voids the commit; the source, which ends its frozen
     * copy only once the destination confirmed its own runs, says why ({@code says}) and takes its copy back.
     */
    private void killedJustAfterTheCommitPointVoidsIt(String name, int mib, String what, Victims victims, String says)
            throws Exception {
        Cell cell = start(name, mib);
        cell.held.runTo("source:COMMITTED", cell.migrate, 120);
        List<Procs.Task> killed = victims.find();
        assertTrue(what + " is there at the commit point", !killed.isEmpty());
        killed.forEach(t -> ProcessHandle.of(t.pid()).ifPresent(ProcessHandle::destroyForcibly));
        cluster.b.awaitLog("migration " + cell.id + ": the restored copy on", 30);
        cell.held.release();
        cell.awaitMigrateEnd();
        assertTrue("the source says the commit is void, and why:\n" + cell.migrate.output(),
                cell.migrate.output().contains(says) && cell.migrate.output().contains("the commit is void"));
        cell.assertPromise(cluster.a, "ROLLED_BACK", null);
    }

    /**
     * The destination's held copy ends just before the source would pass the commit point (what holds it died with
     * it): the destination writes the rollback at once, the source, refused the commit, says why and keeps its copy.
     */
    @Test
    public void heldCopyEndingBeforeTheCommitPointRollsBack() throws Exception {
        killedBeforeTheCommitPointRollsBack("held-copy-ends-before-commit", "B's restored copy", () -> {
            String netB = Procs.netnsOf(cluster.b.name);
            return tree.tasks().stream().filter(t -> netB.equals(t.netNs())).toList();
        });
    }

    /** What the destination's held copy is lost to, found once the migration is held at the commit point. */
    @FunctionalInterface
    private interface Victims {
        List<Procs.Task> find() throws Exception;
    }

    /**
     * A cell held at {@code source:COMMIT} where {@code victims} are killed -9: the destination writes the rollback
     * at once (the test waits for its log line before it lets the source go on), the source, refused the commit,
     * says why, and its copy is the one that runs.
     */
    private void killedBeforeTheCommitPointRollsBack(String name, String what, Victims victims) throws Exception {
        Cell cell = start(name);
        cell.held.runTo("source:COMMIT", cell.migrate, 120);
        List<Procs.Task> killed = victims.find();
        assertTrue(what + " is there before the commit point", !killed.isEmpty());
        killed.forEach(t -> ProcessHandle.of(t.pid()).ifPresent(ProcessHandle::destroyForcibly));
        String lost = cluster.b.awaitLog("migration " + cell.id + ": the restored copy on", 30);
        assertTrue("B rolled back before the commit point: " + lost,
                lost.contains("rolled back before the commit point, the source's copy stays"));
        cell.held.release();
        cell.awaitMigrateEnd();
        assertTrue("the source says why it could not commit:\n" + cell.migrate.output(),
                cell.migrate.output().contains("restore.copy-lost"));
        cell.assertPromise(cluster.a, "ROLLED_BACK", null);
    }

    @Test
    public void linkCutInRestore() throws Exception {
        Cell cell = start("link-restore");
        cell.held.runTo("source:RESTORE", cell.migrate, 120);
        cluster.linkDown();
        cell.held.release();
        cell.awaitMigrateEnd();
        cluster.linkUp();
        cluster.awaitCluster(TwoHostCluster.CLUSTER_SECONDS);
        // the destination may have restored and answered before the cut, and the commit point be written on A's
        // side of it: then B's copy is the container (it runs it once the record says so), else A's
        cell.assertPromiseAsRecorded();
    }

    @Test
    public void destinationStateFolderFullInTransfer() throws Exception {
        stateTmpfs = cluster.b.state.resolve("migrations");
        Files.createDirectories(stateTmpfs);
        TwoHostCluster.run(List.of("mount", "-t", "tmpfs", "-o", "size=256m", "chait-state", stateTmpfs.toString()),
                30, java.util.Map.of());
        Cell cell = start("state-full-transfer");
        cell.held.runTo("source:TRANSFER", cell.migrate, 120);
        Path filler = stateTmpfs.resolve("filler");
        Commands.run(List.of("dd", "if=/dev/zero", "of=" + filler, "bs=1M"), 60); // until no space is left
        cell.held.release();
        cell.awaitMigrateEnd();
        Files.delete(filler);
        JsonNode record = cell.assertPromise(cluster.a, "ROLLED_BACK", null);
        assertTrue("the error names the full disk: " + record.path("error"),
                record.path("error").path("message").asText().contains("No space left on device"));
    }

    @Test
    public void sourceAgentRestartedCleanlyInChecks() throws Exception {
        Cell cell = start("source-restart-checks");
        cell.held.runTo("source:CHECKS", cell.migrate, 120);
        cluster.a.stop();
        cell.held.abandon();
        assertTrue("migrate ended with its agent", cell.migrate.awaitEnd(30));
        cluster.a.start();
        cluster.awaitCluster(TwoHostCluster.CLUSTER_SECONDS);
        cell.assertPromise(cluster.a, null, null);
    }

    @Test
    public void bothAgentsKilledInFinalDump() throws Exception {
        Cell cell = start("both-restart-final-dump");
        cell.held.runTo("source:FINAL_DUMP", cell.migrate, 120);
        cluster.b.kill();
        cluster.a.kill();
        cell.held.abandon();
        assertTrue("migrate ended with its agent", cell.migrate.awaitEnd(30));
        cluster.a.start();
        cluster.b.start();
        cluster.awaitCluster(TwoHostCluster.CLUSTER_SECONDS);
        cell.assertPromise(cluster.a, "ROLLED_BACK", "agent.restarted");
    }

    /**
     * The CRIU processes in the agent's host namespace: those it runs and the daemons they leave, which need not
     * be its descendants (a lazy-pages daemon, a dump CRIU detached from its RPC).
     */
    private static List<Procs.Task> criuIn(TwoHostCluster.Agent agent) {
        String net = Procs.netnsOf(agent.name);
        return Procs.withCommandLineContaining("criu").stream()
                // a dump or restore CRIU that took its request renames itself ("criu: dump --rpc -t PID")
                .filter(t -> net.equals(t.netNs()) && t.cmdline().matches("(.*/s?bin/criu( .*)?|(.* )?criu: .*)"))
                .toList();
    }

    // ---- a cell --------------------------------------------------------------------------------------

    private Cell start(String name) throws Exception {
        return start(name, MIB);
    }

    private Cell start(String name, int mib) throws Exception {
        tree = Workload.single(cluster, name, mib);
        Workload.Status before = tree.awaitCountAbove(2, 30);
        LiveCommand migrate = cluster.clientLive(cluster.a, "migrate", "process:" + tree.root(), "--to",
                cluster.b.name, "--strategy", "none");
        String first = migrate.awaitLine(l -> l.startsWith("migration "), 60)
                .orElseThrow(() -> new AssertionError("migrate printed no first line:\n" + migrate.output()));
        String id = MigrateOutput.idIn(first).orElseThrow(() -> new AssertionError("no id in: " + first));
        current = new Cell(id, migrate, new HeldMigration(cluster.a, id), before.count(), System.nanoTime());
        return current;
    }

    private final class Cell {
        final String id;
        final LiveCommand migrate;
        final HeldMigration held;
        final long countBefore;
        final long begun;

        Cell(String id, LiveCommand migrate, HeldMigration held, long countBefore, long begun) {
            this.id = id;
            this.migrate = migrate;
            this.held = held;
            this.countBefore = countBefore;
            this.begun = begun;
        }

        void awaitMigrateEnd() throws Exception {
            assertTrue("migrate ended within " + SETTLE_SECONDS + " s:\n" + migrate.output(),
                    held.releaseUntilEnd(migrate, SETTLE_SECONDS));
        }

        /**
         * Only the copy on {@code host} runs, its counter going on: any other copy's tasks are all stopped (the
         * source's, which its agent left to CRIU, until the agent comes back and ends it).
         */
        void awaitOneCopyOn(String host) throws Exception {
            Workload.Status now = tree.awaitCountAbove(countBefore, 30);
            tree.awaitCountAbove(now.count(), 10);
            String net = Procs.netnsOf(host);
            List<Procs.Task> elsewhere = tree.tasks().stream().filter(t -> !t.frozen() && !net.equals(t.netNs()))
                    .toList();
            assertTrue("no task of the tree runs outside " + host + ": " + elsewhere, elsewhere.isEmpty());
        }

        /**
         * The promise: the record settled with {@code outcome} (any outcome that leaves the copy on A when null)
         * and {@code code} (unchecked when null), exactly one copy running on {@code host} with its state,
         * nothing of the migration left. Returns the record.
         */
        JsonNode assertPromise(TwoHostCluster.Agent host, String outcome, String code) throws Exception {
            JsonNode record = awaitSettled();
            System.out.printf(Locale.ROOT, "ChaosIT: %s %s (%s) in %.1f s, the copy on %s%n", id,
                    record.path("outcome").asText(), record.path("error").path("code").asText("-"),
                    (System.nanoTime() - begun) / 1e9, host);
            if (outcome != null) {
                assertEquals("the record's outcome:\n" + record.toPrettyString(), outcome,
                        record.path("outcome").asText());
            } else {
                assertTrue("the record says the source kept the container:\n" + record.toPrettyString(),
                        List.of("ROLLED_BACK", "CANCELLED", "FAILED").contains(record.path("outcome").asText()));
            }
            if (code != null) {
                assertEquals(code, record.path("error").path("code").asText());
            }
            tree.assertOneRunningCopy(host.name, countBefore);
            List<String> left = awaitNothingLeft();
            assertTrue("nothing of migration " + id + " is left: " + left, left.isEmpty());
            return record;
        }

        /** The promise, on whichever host the record says the container is. */
        void assertPromiseAsRecorded() throws Exception {
            boolean committed = "SUCCEEDED".equals(awaitSettled().path("outcome").asText());
            assertPromise(committed ? cluster.b : cluster.a, committed ? "SUCCEEDED" : "ROLLED_BACK", null);
        }

        private JsonNode awaitSettled() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SETTLE_SECONDS);
            JsonNode record = cluster.record(cluster.a, id);
            while ("IN_PROGRESS".equals(record.path("outcome").asText()) && System.nanoTime() < deadline) {
                Thread.sleep(200); // recovery writes the outcome; the test polls the record
                record = cluster.record(cluster.a, id);
            }
            return record;
        }

        /** What is left, once the destination had the time to end its lazy-pages daemon and drop its images. */
        private List<String> awaitNothingLeft() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            List<String> left = leftBehind();
            while (!left.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(200); // nothing announces the end of a cleanup
                left = leftBehind();
            }
            return left;
        }

        private List<String> leftBehind() throws Exception {
            List<String> left = new ArrayList<>(cluster.leftoverImages(id, cluster.a, cluster.b));
            for (TwoHostCluster.Agent agent : List.of(cluster.a, cluster.b)) {
                Path folder = agent.state.resolve("migrations").resolve(id);
                for (String name : List.of("pagestore", "release-hold")) {
                    if (Files.exists(folder.resolve(name)) && !emptyFolder(folder.resolve(name))) {
                        left.add(folder.resolve(name).toString());
                    }
                }
                String rules = Commands.run(List.of("ip", "netns", "exec", agent.name, "iptables", "-S"), 30).stdout();
                rules.lines().filter(l -> !l.startsWith("-P")).forEach(l -> left.add("rule on " + agent + ": " + l));
                String connections = Commands.run(List.of("ip", "netns", "exec", agent.name, "ss", "-Htn", "state",
                        "established", "( sport = :" + TwoHostCluster.TRANSPORT_PORT + " or dport = :"
                                + TwoHostCluster.TRANSPORT_PORT + " )"), 30).stdout();
                connections.lines().filter(l -> !l.isBlank()).forEach(l -> left.add("connection on " + agent + ": " + l));
            }
            for (TwoHostCluster.Agent agent : List.of(cluster.a, cluster.b)) {
                criuIn(agent).forEach(t -> left.add("CRIU process on " + agent + ": " + t));
            }
            return left;
        }

        private static boolean emptyFolder(Path path) throws IOException {
            if (!Files.isDirectory(path)) {
                return false;
            }
            try (Stream<Path> files = Files.walk(path)) {
                return files.noneMatch(Files::isRegularFile);
            }
        }
    }
}
