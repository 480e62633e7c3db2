package io.haul.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.ContainerRef;
import io.haul.api.HaulException;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.MigrationRequest;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.Phase;
import io.haul.api.migration.ProgressEvent;
import io.haul.api.plugin.PluginKind;
import io.haul.cluster.AgentInfo;
import io.haul.host.CriuSource;
import io.haul.host.CriuStatus;
import io.haul.host.HostProbe;
import io.haul.host.HostReport;
import io.haul.host.proc.TaskStat;
import io.haul.transport.inprocess.InProcessTransport;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A source and a destination engine in one JVM, joined by the in-process transport and sharing one cluster store,
 * migrating a real process whose dump and restore a stand-in for CRIU does ({@link FakeCriu}): the engine's phase
 * logic on its own, with a fault injected at any step. Whatever happens, exactly one copy runs at the end and
 * nothing of the migration is left on either side.
 */
class TwoAgentsTest {

    private static final Duration STEP = Duration.ofSeconds(5);

    @TempDir
    Path work;

    private final MemoryStore store = new MemoryStore();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicReference<String> faultAt = new AtomicReference<>("");
    private final FakeCriu criuA = new FakeCriu(1);
    private final FakeCriu criuB = new FakeCriu(1);
    private final FakeBackend backendA = new FakeBackend();
    private final FakeBackend backendB = new FakeBackend();
    private final FakePlugins pluginsA = new FakePlugins();
    private final FakePlugins pluginsB = new FakePlugins();
    private InProcessTransport transportA;
    private InProcessTransport transportB;
    private MigrationContext alpha;
    private MigrationContext beta;
    private AgentInfo betaInfo;
    private CountDownLatch destinationDone;
    private Process container;

    @BeforeEach
    void twoAgents() throws Exception {
        transportA = new InProcessTransport("alpha");
        transportB = new InProcessTransport("beta");
        pluginsA.with(PluginKind.BACKEND, FakeBackend.NAME, backendA).with(PluginKind.STRATEGY, "none", FakePlugins.NONE)
                .with(PluginKind.TRANSPORT, "inprocess", transportA);
        pluginsB.with(PluginKind.BACKEND, FakeBackend.NAME, backendB).with(PluginKind.TRANSPORT, "inprocess", transportB);
        alpha = context("alpha", pluginsA, criuA);
        beta = context("beta", pluginsB, criuB);
        destinationDone = new CountDownLatch(1);
        var listener = transportB.listen(InetSocketAddress.createUnresolved("beta", 0), connection -> executor.execute(() -> {
            try {
                new DestinationMigration(beta, connection).run();
            } finally {
                destinationDone.countDown();
            }
        }));
        betaInfo = new AgentInfo("beta", "beta:" + listener.address().getPort(), Map.of(), Clock.systemUTC().instant());
        container = new ProcessBuilder("sleep", "600").redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    @AfterEach
    void stopEverything() throws Exception {
        container.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        for (Process copy : criuA.copies) {
            copy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (Process copy : criuB.copies) {
            copy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        transportA.close();
        transportB.close();
        executor.shutdownNow();
    }

    private MigrationContext context(String name, FakePlugins plugins, FakeCriu criu) {
        HostProbe host = new HostProbe() {
            @Override
            public HostReport probe() {
                return new HostReport(criu(), List.of(), "test");
            }

            @Override
            public CriuStatus criu() {
                return new CriuStatus("/fake/criu", CriuSource.PATH, "4.2.1", true, "Looks good.");
            }
        };
        Path migrations = work.resolve(name).resolve("migrations");
        return new MigrationContext(name, plugins, criu, new LocalCapabilities(host, plugins, migrations,
                Clock.systemUTC()), store, migrations, STEP, Duration.ofSeconds(20), 64L << 20, false, false, false,
                Clock.systemUTC(), (id, point) -> {
                    if (point.equals(faultAt.get())) {
                        throw new MigrationFailure("test.fault", "a fault injected at " + point);
                    }
                });
    }

    @Test
    void aMigrationCommitsAndTheCopyRunsOnTheDestination() throws Exception {
        MigrationRecord ended = migrate();

        assertEquals(Outcome.SUCCEEDED, ended.outcome(), () -> "record: " + ended);
        for (Phase phase : Phase.values()) {
            assertTrue(ended.history().stream().anyMatch(c -> c.phase() == phase), phase + " entered: " + ended.history());
        }
        assertOnlyRunning(criuB.copies.getFirst(), "only the restored copy runs");
        assertEquals(criuB.copies.getFirst().pid(), ended.statistics().newRootPid());
        assertTrue(ended.statistics().bytesOnWire() > 300 * 1024, "the images crossed: " + ended.statistics());
        assertTrue(backendA.calls.containsAll(List.of("source:check", "source:lockNetwork", "source:committed")),
                backendA.calls.toString());
        assertFalse(backendA.calls.contains("source:rolledBack"), backendA.calls.toString());
        assertTrue(backendB.calls.containsAll(List.of("destination:prepare", "destination:committed",
                "destination:close")), backendB.calls.toString());
        List<ProgressEvent> events = store.events(ended.id());
        assertTrue(events.getLast().last() && events.getLast().outcome() == Outcome.SUCCEEDED, events.getLast().toString());
        assertTrue(events.stream().anyMatch(e -> e.total() > 0 && e.eta() != null), "transfers carry an ETA: " + events);
        assertNothingLeft();
    }

    /** A fault at each step before the commit point rolls back: the source copy runs on, resumed, alone. */
    @ParameterizedTest
    @ValueSource(strings = {"source:HANDSHAKE", "source:CHECKS", "source:FILESYSTEM", "source:PRECOPY",
        "source:FINAL_DUMP", "source:TRANSFER", "source:RESTORE", "source:COMMIT", "destination:CHECKS",
        "destination:FILESYSTEM", "destination:RESTORE"})
    void aFaultBeforeTheCommitPointRollsBackToTheSource(String point) throws Exception {
        faultAt.set(point);
        MigrationRecord ended = migrate();

        assertEquals(Outcome.ROLLED_BACK, ended.outcome(), () -> point + ": " + ended);
        assertTrue(ended.error().message().contains(point) || ended.error().message().contains("injected"),
                point + ": the error says why: " + ended.error());
        assertOnlyRunning(container, point + ": only the source copy runs, resumed");
        if (backendA.calls.contains("source:lockNetwork")) {
            assertTrue(backendA.calls.contains("source:unlockNetwork"), point + ": the lock went: " + backendA.calls);
        }
        assertTrue(backendA.calls.contains("source:rolledBack"), point + ": " + backendA.calls);
        if (backendB.calls.contains("destination:prepare")) {
            assertTrue(backendB.calls.contains("destination:abandoned"), point + ": " + backendB.calls);
        }
        assertNothingLeft();
    }

    /**
     * The destination fails while the source streams to it and closes: the source's error is the destination's
     * (its code and message), not "connection closed by the peer" (issue #17.2).
     */
    @Test
    void aDestinationThatFailsWhileTheSourceStreamsGivesTheSourceItsReason() throws Exception {
        faultAt.set("destination:FILESYSTEM");
        MigrationRecord ended = migrate();

        assertEquals(Outcome.ROLLED_BACK, ended.outcome(), () -> "record: " + ended);
        assertEquals("test.fault", ended.error().code(), ended.error().toString());
        assertEquals("beta failed: a fault injected at destination:FILESYSTEM", ended.error().message());
        assertOnlyRunning(container, "the source copy runs on");
        assertNothingLeft();
    }

    /** The destination loses its source right after the commit: the record says commit, so its copy runs. */
    @Test
    void aDestinationThatLosesItsSourceAfterTheCommitPointRunsItsCopy() throws Exception {
        faultAt.set("destination:COMMIT");
        MigrationRecord ended = migrate();

        assertEquals(Outcome.SUCCEEDED, ended.outcome(), () -> "record: " + ended);
        assertOnlyRunning(criuB.copies.getFirst(), "the destination's copy is the container");
        assertNothingLeft();
    }

    @Test
    void aBackendThatGoesAwayMidwayRollsTheMigrationBack() throws Exception {
        faultAt.set("never");
        alpha = new MigrationContext(alpha.agentName(), alpha.plugins(), alpha.criu(), alpha.capabilities(),
                alpha.store(), alpha.migrationsDir(), STEP, alpha.restoreTimeout(), alpha.pageStoreBudget(), false,
                false, false, alpha.clock(), (id, point) -> {
                    if (point.equals("source:FINAL_DUMP")) {
                        pluginsA.remove(PluginKind.BACKEND, FakeBackend.NAME);
                    }
                });
        MigrationRecord ended = migrate();

        assertEquals(Outcome.ROLLED_BACK, ended.outcome(), () -> "record: " + ended);
        assertEquals("backend.gone", ended.error().code());
        assertOnlyRunning(container, "the source copy runs on");
        assertNothingLeft();
    }

    /**
     * A periodic timerfd expires, unread, after the checks and before the freeze: CRIU would restore it disarmed.
     * Looked at again with the tree frozen, the migration fails there with the checks' code and the source
     * resumes as it was (the holder, compiled with the machine's cc, is told to let it expire at FINAL_DUMP).
     */
    @Test
    void aTimerThatExpiresUnreadAfterTheChecksFailsTheFrozenWindowAndTheSourceResumes() throws Exception {
        Path source = work.resolve("timer-holder.c");
        try (var in = TwoAgentsTest.class.getResourceAsStream("timer-holder.c")) {
            Files.copy(in, source);
        }
        Path binary = work.resolve("timer-holder");
        Process cc;
        try {
            cc = new ProcessBuilder("cc", "-o", binary.toString(), source.toString()).inheritIO().start();
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "a C compiler (cc) is needed: " + e.getMessage());
            return;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(cc.waitFor() == 0, "cc could not compile timer-holder.c");
        container.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        container = new ProcessBuilder(binary.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        var out = new java.io.BufferedReader(new java.io.InputStreamReader(container.getInputStream()));
        assertEquals("ready", out.readLine());
        faultAt.set("never");
        long holder = container.pid();
        alpha = new MigrationContext(alpha.agentName(), alpha.plugins(), alpha.criu(), alpha.capabilities(),
                alpha.store(), alpha.migrationsDir(), STEP, alpha.restoreTimeout(), alpha.pageStoreBudget(), false,
                false, false, alpha.clock(), (id, point) -> {
                    if (point.equals("source:FINAL_DUMP")) {
                        try {
                            io.haul.host.linux.Processes.kill(holder, 10); // SIGUSR1
                            assertEquals("expired", out.readLine());
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    }
                });
        MigrationRecord ended = migrate();

        assertEquals(Outcome.ROLLED_BACK, ended.outcome(), () -> "record: " + ended);
        assertEquals(OpenFileRefusals.STATE_LOST, ended.error().code(), ended.error().toString());
        assertEquals(Phase.FINAL_DUMP, ended.error().phase(), ended.error().toString());
        assertTrue(ended.error().message().startsWith("refused in the frozen window, the source resumes: since the "
                + "checks, the copy would lose state: pid " + holder + " (timer-holder) fd 3 (anon_inode:[timerfd]): "
                + "a periodic timerfd (every 3600000 ms) that expired 1 time(s)"), ended.error().message());
        assertOnlyRunning(container, "the source copy runs on, resumed");
        assertNothingLeft();
    }

    /** Starts the migration of the test's process and waits for its last event, then for the destination. */
    private MigrationRecord migrate() throws Exception {
        CountDownLatch ended = new CountDownLatch(1);
        AtomicReference<String> id = new AtomicReference<>();
        MigrationRecord first;
        try {
            first = new MigrationStarter(alpha, executor).start(new MigrationRequest(new ContainerRef(FakeBackend.NAME,
                    Long.toString(container.pid())), "beta", "none", "inprocess", null, Map.of()), betaInfo, "none",
                    "inprocess");
        } catch (HaulException e) {
            throw new AssertionError("the migration did not start: " + e.getMessage(), e);
        }
        id.set(first.id());
        try (AutoCloseable subscription = store.subscribe(first.id(), event -> {
            if (event.last()) {
                ended.countDown();
            }
        })) {
            if (store.get(first.id()).map(r -> r.outcome() != Outcome.IN_PROGRESS).orElse(false)) {
                ended.countDown(); // it ended before the subscription began
            }
            assertTrue(ended.await(60, TimeUnit.SECONDS), "the migration ended within 60 s: " + store.get(id.get()));
        }
        if (!faultAt.get().startsWith("source:HANDSHAKE")) {
            assertTrue(destinationDone.await(30, TimeUnit.SECONDS), "the destination's side ended");
        }
        return store.get(first.id()).orElseThrow();
    }

    /**
     * Exactly one copy runs, {@code expected}, not stopped; every other copy of the test (the source's, each one a
     * restore started) has ended.
     */
    private void assertOnlyRunning(Process expected, String why) throws InterruptedException {
        List<Process> all = new java.util.ArrayList<>(List.of(container));
        all.addAll(criuB.copies);
        for (Process copy : all) {
            if (copy == expected) {
                assertTrue(TaskStat.read(copy.pid()).map(stat -> !stat.stopped()).orElse(false),
                        why + ": pid " + copy.pid() + " runs, not stopped");
            } else {
                assertTrue(copy.waitFor(10, TimeUnit.SECONDS), why + ": pid " + copy.pid() + " ended");
            }
        }
    }

    private void assertNothingLeft() throws Exception {
        for (Path side : List.of(work.resolve("alpha/migrations"), work.resolve("beta/migrations"))) {
            if (!Files.isDirectory(side)) {
                continue;
            }
            try (var migrations = Files.list(side)) {
                for (Path migration : migrations.toList()) {
                    for (String leftover : List.of("images", "ahead", "recipes")) {
                        assertFalse(Files.exists(migration.resolve(leftover)), migration.resolve(leftover) + " is left");
                    }
                }
            }
        }
        assertFalse(store.anyLocked(), "the container lock was released");
    }
}
