package io.haul.backend.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.backend.ContainerBackend;
import io.haul.api.backend.ContainerInfo;
import io.haul.api.backend.ContainerManifest;
import io.haul.api.backend.DestinationSession;
import io.haul.api.backend.MigrationFolders;
import io.haul.api.backend.SourcePlan;
import io.haul.api.backend.SourceSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link ContainerBackend} must do, as tests: a backend module's test extends this class and says how
 * to make the backend and, where this host can run one, a container it can move. Tests that need a container are
 * skipped, with the reason printed, where there is none; the rest run everywhere.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class BackendContract {

    @TempDir
    protected Path work;

    private ContainerBackend backend;

    /** The backend under test, fresh for each test. */
    protected abstract ContainerBackend newBackend() throws Exception;

    /** Its name, the part before ':' in its references. */
    protected abstract String name();

    /** An id of this backend's kind that names no container here. */
    protected abstract String missingId();

    /**
     * Starts a container the backend can move and returns its id, or says why this host cannot run one (then
     * the tests that need it are skipped). Whatever it starts, {@link #stopContainer} stops.
     */
    protected abstract Optional<String> startContainer() throws Exception;

    /** Why {@link #startContainer} could not start one, for the skip message. */
    protected String whyNoContainer() {
        return "this host cannot run a " + name() + " container";
    }

    /** Stops what {@link #startContainer} started, also when a test failed. */
    protected abstract void stopContainer() throws Exception;

    @BeforeEach
    void makeBackend() throws Exception {
        backend = newBackend();
    }

    @AfterEach
    void stop() throws Exception {
        stopContainer();
    }

    protected ContainerBackend backend() {
        return backend;
    }

    protected MigrationFolders folders() throws Exception {
        return new MigrationFolders("contract-" + ProcessHandle.current().pid(),
                Files.createDirectories(work.resolve("images")), Files.createDirectories(work.resolve("ahead")),
                Files.createDirectories(work.resolve("logs")));
    }

    @Test
    void anUnusableBackendSaysWhy() {
        Usability usability = backend.usability();
        assertTrue(usability.usable() || !usability.reason().isBlank(), "unusable without a reason: " + usability);
    }

    @Test
    void aMissingContainerIsNotFoundWithItsName() {
        assumeUsable();
        HaulException e = assertThrows(HaulException.class, () -> backend.inspect(missingId()));
        assertEquals("container.not-found", e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(missingId()), "the error names the container: " + e.getMessage());
    }

    @Test
    void everyListedContainerIsThisBackendsAndSaysWhyItCannotMove() throws Exception {
        assumeUsable();
        for (ContainerInfo container : backend.list()) {
            assertEquals(name(), container.ref().backend(), container.toString());
            assertEquals(container.migratable(), container.whyNot().isEmpty(), "a reason exactly when it cannot move: "
                    + container);
        }
    }

    @Test
    void aRunningContainerIsListedAndInspectedAlike() throws Exception {
        String id = container();
        ContainerInfo inspected = backend.inspect(id);
        assertTrue(inspected.migratable(), inspected.whyNot());
        assertTrue(inspected.rootPid() > 0 && inspected.processes() > 0, inspected.toString());
        List<ContainerInfo> listed = backend.list().stream().filter(c -> c.ref().equals(inspected.ref())).toList();
        assertEquals(1, listed.size(), "listed once: " + backend.list());
        assertEquals(inspected.rootPid(), listed.getFirst().rootPid());
    }

    @Test
    void aSourceSessionChecksTheContainerAndNamesItsBackendInTheManifest() throws Exception {
        String id = container();
        ContainerInfo container = backend.inspect(id);
        try (SourceSession session = backend.openSource(container, folders())) {
            SourcePlan plan = session.check();
            assertEquals(container.ref(), plan.container().ref());
            assertEquals(container.rootPid(), plan.container().rootPid(), "the same container, looked at again");
            assertEquals(name(), plan.manifest().backend());
        }
    }

    /** Every rollback hook of the source, in the order the engine calls them: the container runs on as it was. */
    @Test
    void theSourcesRollbackHooksLeaveTheContainerAsItWas() throws Exception {
        String id = container();
        ContainerInfo before = backend.inspect(id);
        try (SourceSession session = backend.openSource(before, folders())) {
            session.check();
            session.lockNetwork();
            session.unlockNetwork();
            session.rolledBack();
        }
        ContainerInfo after = backend.inspect(id);
        assertEquals(before.rootPid(), after.rootPid(), "the same process runs");
        assertTrue(after.migratable(), after.whyNot());
    }

    @Test
    void aManifestOfAnotherBackendIsRefused() throws Exception {
        assumeUsable();
        ContainerManifest other = new ContainerManifest("not-" + name(), "x", Map.of());
        assertThrows(HaulException.class, () -> backend.openDestination(other, folders()).check());
    }

    /** A destination abandoned before it prepared anything (the checks refused, say) leaves nothing behind. */
    @Test
    void aDestinationAbandonedBeforeItPreparedLeavesNothing() throws Exception {
        String id = container();
        ContainerManifest manifest;
        try (SourceSession source = backend.openSource(backend.inspect(id), folders())) {
            manifest = source.check().manifest();
        }
        MigrationFolders folders = folders();
        try (DestinationSession session = backend.openDestination(manifest, folders)) {
            session.abandoned();
        }
        try (var left = Files.list(folders.images())) {
            assertFalse(left.findAny().isPresent(), "nothing left in the images folder");
        }
        assertTrue(backend.inspect(id).migratable(), "the source container is untouched");
    }

    private void assumeUsable() {
        Usability usability = backend.usability();
        if (!usability.usable()) {
            System.out.println("SKIPPED: the " + name() + " backend is not usable here: " + usability.reason());
        }
        assumeTrue(usability.usable(), usability.reason());
    }

    private String container() throws Exception {
        assumeUsable();
        Optional<String> id = startContainer();
        if (id.isEmpty()) {
            System.out.println("SKIPPED: " + whyNoContainer());
        }
        assumeTrue(id.isPresent(), this::whyNoContainer);
        return id.get();
    }
}
