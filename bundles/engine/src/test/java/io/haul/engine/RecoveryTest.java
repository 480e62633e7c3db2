package io.haul.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.haul.api.ContainerRef;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.MigrationStatistics;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.Phase;
import io.haul.criu.hold.CriuHold;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restarted destination agent settles the restores a runtime (Docker, runc) still holds for it, from the
 * migration's record: the hook script, run as CRIU runs it, finishes the restore (0) or undoes it (1).
 */
class RecoveryTest {

    private static final Path HOOK = Path.of("../../runtime/setup/criu-hold-hook.sh").toAbsolutePath().normalize();
    private static final String AGENT = "recovery-test-b";

    @TempDir
    Path work;

    @BeforeAll
    static void needs() throws IOException {
        assumeTrue(Files.isRegularFile(HOOK), "no hook script at " + HOOK);
        boolean root = "0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes()).strip());
        if (!root) {
            System.out.println("RecoveryTest: skipped, holds live in " + CriuHold.HOLDS + ", which needs root");
        }
        assumeTrue(root, "needs root for " + CriuHold.HOLDS);
    }

    @Test
    void aRestoreHeldPastTheCommitPointRunsAfterTheRestart() throws Exception {
        assertEquals(0, settle(Phase.COMMIT, Outcome.IN_PROGRESS, "commit"));
    }

    @Test
    void aRestoreHeldForAMigrationThatSucceededRuns() throws Exception {
        assertEquals(0, settle(Phase.CLEANUP, Outcome.SUCCEEDED, "succeeded"));
    }

    @Test
    void aRestoreHeldForAMigrationTheSourceRolledBackIsUndone() throws Exception {
        assertEquals(1, settle(Phase.RESTORE, Outcome.ROLLED_BACK, "rolled-back"));
    }

    @Test
    void aRestoreHeldBeforeTheCommitPointIsUndoneAndTheRollbackWritten() throws Exception {
        MemoryStore store = new MemoryStore();
        assertEquals(1, settle(Phase.RESTORE, Outcome.IN_PROGRESS, "in-flight", store));
        assertEquals(Outcome.ROLLED_BACK, store.get(id("in-flight")).orElseThrow().outcome());
    }

    @Test
    void aRestoreHeldInFlightWaitsUntilTheSourceIsBackWithItsRecords() throws Exception {
        MemoryStore store = new MemoryStore();
        store.away("recovery-test-a"); // its disk may hold the commit point: nothing is decided without it
        String id = id("waiting");
        Path images = Files.createDirectories(work.resolve("images-waiting"));
        store.put(new MigrationRecord(id, new ContainerRef("docker", "web"), "recovery-test-a", AGENT, Phase.RESTORE,
                Outcome.IN_PROGRESS, Instant.now(), null, MigrationStatistics.NONE, null, List.of()));
        try (CriuHold hold = CriuHold.forRestore(id, images, Duration.ofSeconds(60))) {
            ProcessBuilder builder = new ProcessBuilder("sh", HOOK.toString()).redirectErrorStream(true);
            builder.environment().putAll(Map.of("CRTOOLS_SCRIPT_ACTION", "post-restore", "CRTOOLS_INIT_PID", "1",
                    "CRTOOLS_IMAGE_DIR", images.toString()));
            Process hook = builder.start();
            try (Recovery recovery = recovery(store)) {
                hold.awaitReached(new java.util.concurrent.CompletableFuture<>());
                hold.dropWithoutVerdict();
                recovery.settle();
                assertEquals(Outcome.IN_PROGRESS, store.get(id).orElseThrow().outcome(), "nothing decided yet");
                assertTrue(hook.isAlive(), "the restore is still held");
                store.back("recovery-test-a");
                assertTrue(hook.waitFor(30, TimeUnit.SECONDS), "the hook ended once the source was back");
                assertEquals(1, hook.exitValue(), "undone: the record had not passed its commit point");
                assertEquals(Outcome.ROLLED_BACK, store.get(id).orElseThrow().outcome());
            } finally {
                hook.destroyForcibly();
            }
        }
    }

    private Recovery recovery(MemoryStore store) {
        return new Recovery(new MigrationContext(AGENT, null, null, null, store, work.resolve("migrations"),
                Duration.ofSeconds(5), Duration.ofSeconds(5), 0, false, false, false, Clock.systemUTC(),
                FaultPoints.NONE));
    }

    private int settle(Phase phase, Outcome outcome, String name) throws Exception {
        return settle(phase, outcome, name, new MemoryStore());
    }

    /** A hold of a dead agent (its FIFOs closed without a verdict), then Recovery of a restarted one. */
    private int settle(Phase phase, Outcome outcome, String name, MemoryStore store) throws Exception {
        String id = id(name);
        Path images = Files.createDirectories(work.resolve("images-" + name));
        store.put(new MigrationRecord(id, new ContainerRef("docker", "web"), "recovery-test-a", AGENT, phase, outcome,
                Instant.now(), null, MigrationStatistics.NONE, null, List.of()));
        Process hook;
        try (CriuHold hold = CriuHold.forRestore(id, images, Duration.ofSeconds(60))) {
            ProcessBuilder builder = new ProcessBuilder("sh", HOOK.toString()).redirectErrorStream(true);
            builder.environment().putAll(Map.of("CRTOOLS_SCRIPT_ACTION", "post-restore", "CRTOOLS_INIT_PID", "1",
                    "CRTOOLS_IMAGE_DIR", images.toString()));
            hook = builder.start();
            hold.awaitReached(new java.util.concurrent.CompletableFuture<>());
            hold.dropWithoutVerdict();
            try (Recovery recovery = recovery(store)) {
                recovery.settle();
            }
        }
        assertTrue(hook.waitFor(30, TimeUnit.SECONDS), "the hook ended once Recovery decided");
        return hook.exitValue();
    }

    private static String id(String name) {
        return "recovery-test-" + name + "-" + ProcessHandle.current().pid();
    }
}
