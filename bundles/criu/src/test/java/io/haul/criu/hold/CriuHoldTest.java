package io.haul.criu.hold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.haul.api.HaulException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hold between an agent and the real hook script (runtime/setup/criu-hold-hook.sh), run as CRIU runs it:
 * with CRTOOLS_SCRIPT_ACTION, CRTOOLS_INIT_PID and CRTOOLS_IMAGE_DIR in its environment. Its exit status is
 * what CRIU acts on: 0 finishes the step, anything else undoes it.
 */
class CriuHoldTest {

    private static final Path HOOK = Path.of("../../runtime/setup/criu-hold-hook.sh").toAbsolutePath().normalize();
    /** No process has this pid: the holds of this test cannot meet a real checkpoint's. */
    private static final long PID = 4_100_000_000L + ProcessHandle.current().pid();

    @TempDir
    Path images;

    @BeforeAll
    static void needs() throws IOException {
        assumeTrue(Files.isRegularFile(HOOK), "no hook script at " + HOOK);
        boolean root = "0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes()).strip());
        if (!root) {
            System.out.println("CriuHoldTest: skipped, holds live in " + CriuHold.HOLDS + ", which needs root");
        }
        assumeTrue(root, "needs root for " + CriuHold.HOLDS);
    }

    private Process hook(String action, long pid) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("sh", HOOK.toString()).redirectErrorStream(true);
        builder.environment().putAll(Map.of("CRTOOLS_SCRIPT_ACTION", action, "CRTOOLS_INIT_PID", Long.toString(pid),
                "CRTOOLS_IMAGE_DIR", images.toString()));
        return builder.start();
    }

    private static int exit(Process hook) throws Exception {
        assertTrue(hook.waitFor(30, TimeUnit.SECONDS), "the hook ended");
        return hook.exitValue();
    }

    @Test
    void goLetsCriuFinishTheDump() throws Exception {
        try (CriuHold hold = CriuHold.forDump(PID, Duration.ofSeconds(60))) {
            Process hook = hook("post-dump", PID);
            CriuHold.Reached reached = hold.awaitReached(new CompletableFuture<>());
            assertEquals(PID, reached.initPid());
            assertEquals(images.toRealPath(), reached.imageDir(), "the hook names CRIU's image folder");
            assertTrue(hook.isAlive(), "CRIU stays held until the verdict");
            hold.release(true);
            assertEquals(0, exit(hook));
        }
    }

    /**
     * The runtime's call ends after the hold let go of its FIFOs, the folder still there (dropped, or between
     * close's closing and its removing the folder): ending the read must not wait for a reader that never comes.
     */
    @Test
    void theRuntimeEndingAfterTheHoldLetGoDoesNotWait() throws Exception {
        CompletableFuture<Void> runtimeCall = new CompletableFuture<>();
        try (CriuHold hold = CriuHold.forDump(PID, Duration.ofSeconds(60))) {
            Process hook = hook("post-dump", PID);
            hold.awaitReached(runtimeCall);
            hold.dropWithoutVerdict();
            assertEquals(1, exit(hook), "without a verdict the dump is undone");
            Thread ending = Thread.ofPlatform().daemon().start(() -> runtimeCall.complete(null));
            ending.join(Duration.ofSeconds(10));
            assertFalse(ending.isAlive(), "the runtime's end went through at once");
        }
    }

    @Test
    void anyOtherVerdictUndoesTheStep() throws Exception {
        try (CriuHold hold = CriuHold.forDump(PID, Duration.ofSeconds(60))) {
            Process hook = hook("post-dump", PID);
            hold.awaitReached(new CompletableFuture<>());
            hold.release(false);
            assertEquals(1, exit(hook));
        }
    }

    @Test
    void aVerdictGivenBeforeTheHookCameWaitsForIt() throws Exception {
        try (CriuHold hold = CriuHold.forDump(PID, Duration.ofSeconds(60))) {
            hold.release(true);
            Process hook = hook("post-dump", PID);
            hold.awaitReached(new CompletableFuture<>());
            assertEquals(0, exit(hook));
        }
    }

    @Test
    void closingTheHoldWithoutAVerdictUndoesTheStep() throws Exception {
        Process hook;
        try (CriuHold hold = CriuHold.forDump(PID, Duration.ofSeconds(60))) {
            hook = hook("post-dump", PID);
            hold.awaitReached(new CompletableFuture<>());
        }
        assertEquals(1, exit(hook));
    }

    @Test
    void aDumpWhoseAgentDiesIsUndone() throws Exception {
        try (CriuHold hold = CriuHold.forDump(PID, Duration.ofSeconds(60))) {
            Process hook = hook("post-dump", PID);
            hold.awaitReached(new CompletableFuture<>());
            hold.dropWithoutVerdict();
            assertEquals(1, exit(hook), "before the commit point the source must run on");
        }
    }

    @Test
    void aRestoreWhoseAgentDiesWaitsForTheVerdictOfTheRestartedAgent() throws Exception {
        String migration = "criu-hold-test-" + ProcessHandle.current().pid();
        try (CriuHold hold = CriuHold.forRestore(migration, images, Duration.ofSeconds(60))) {
            Process hook = hook("post-restore", PID + 3);
            hold.awaitReached(new CompletableFuture<>());
            hold.dropWithoutVerdict();
            assertTrue(CriuHold.heldRestores().contains(migration), "the hold is listed for a restarted agent");
            assertTrue(CriuHold.decide(migration, true), "the restarted agent finds the hold");
            assertEquals(0, exit(hook), "the restored tasks run: the source may already be gone");
            assertFalse(CriuHold.heldRestores().contains(migration), "the hold is gone");
            assertFalse(CriuHold.decide(migration, true), "nothing left to decide");
        }
    }

    @Test
    void aRestoreIsHeldThroughTheMarkerInItsImages() throws Exception {
        try (CriuHold hold = CriuHold.forRestore("criu-hold-test", images, Duration.ofSeconds(60))) {
            Process hook = hook("post-restore", PID + 1);
            assertEquals(PID + 1, hold.awaitReached(new CompletableFuture<>()).initPid());
            hold.release(true);
            assertEquals(0, exit(hook));
        }
    }

    @Test
    void aMarkerNamingAFolderOutsideTheHoldsUndoesTheRestore() throws Exception {
        Files.writeString(images.resolve(CriuHold.RESTORE_MARKER), "/tmp/../etc");
        assertEquals(1, exit(hook("post-restore", PID)));
    }

    @Test
    void checkpointsNobodyHoldsPassThrough() throws Exception {
        assertEquals(0, exit(hook("post-dump", PID + 2)), "no hold folder: not a Haul checkpoint");
        assertEquals(0, exit(hook("pre-dump", PID)), "other actions pass");
    }

    @Test
    void aRuntimeThatEndsBeforeTheHoldIsReported() throws Exception {
        try (CriuHold hold = CriuHold.forDump(PID, Duration.ofSeconds(60))) {
            HaulException e = assertThrows(HaulException.class,
                    () -> hold.awaitReached(CompletableFuture.completedFuture(null)));
            assertEquals("hold.not-reached", e.code());
        }
    }
}
