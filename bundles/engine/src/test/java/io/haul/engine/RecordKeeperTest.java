package io.haul.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.ContainerRef;
import io.haul.api.migration.MigrationError;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.MigrationStatistics;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.Phase;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The record's writes behind the migration: in order, none lost, and none that overrides another agent's decision. */
class RecordKeeperTest {

    private static final Clock CLOCK = Clock.systemUTC();

    private static MigrationRecord first(String id) {
        return new MigrationRecord(id, new ContainerRef("process", "1"), "a", "b", Phase.HANDSHAKE,
                Outcome.IN_PROGRESS, CLOCK.instant(), null, MigrationStatistics.NONE, null, List.of());
    }

    @Test
    void theCommitPointFindsEveryWriteBeforeItStored() {
        MemoryStore store = new MemoryStore();
        RecordKeeper keeper = new RecordKeeper(store, CLOCK, first("m1"));
        keeper.enter(Phase.FINAL_DUMP, "freezing");
        keeper.statistics(s -> s.withImageBytes(4096));
        keeper.enter(Phase.TRANSFER, "sending");
        keeper.statistics(s -> s.withNewRootPid(42));

        assertTrue(keeper.commitPoint());

        MigrationRecord stored = store.get("m1").orElseThrow();
        assertEquals(Phase.COMMIT, stored.phase());
        assertEquals(4096, stored.statistics().imageBytes());
        assertEquals(42, stored.statistics().newRootPid());
        assertEquals(List.of(Phase.FINAL_DUMP, Phase.TRANSFER, Phase.COMMIT),
                stored.history().stream().map(h -> h.phase()).toList());
    }

    /**
     * The frozen window's writes: while one is under way the changes after it pile up and go as one write, or
     * with the commit point, which carries a figure that had no write of its own too.
     */
    @Test
    void theCommitPointWaitsForTheWriteUnderWayOnlyAndCarriesWhatWasQueued() throws InterruptedException {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Phase> written = new java.util.concurrent.CopyOnWriteArrayList<>();
        MemoryStore store = new MemoryStore() {
            @Override
            public boolean replace(MigrationRecord expected, MigrationRecord next) {
                written.add(next.phase());
                if (next.phase() == Phase.FINAL_DUMP) {
                    writing.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.replace(expected, next);
            }
        };
        RecordKeeper keeper = new RecordKeeper(store, CLOCK, first("m4"));
        keeper.enter(Phase.FINAL_DUMP, "freezing");
        writing.await();
        keeper.statistics(s -> s.withImageBytes(4096));
        keeper.enter(Phase.TRANSFER, "sending");
        keeper.enter(Phase.RESTORE, "restoring");
        keeper.statisticsWithNextWrite(s -> s.withNewRootPid(42));
        release.countDown();

        assertTrue(keeper.commitPoint());

        // the changes queued behind the first write went as one (the newest) or with the commit point itself, as
        // the commit point's start and the first write's end fell: never one write each
        assertTrue(written.equals(List.of(Phase.FINAL_DUMP, Phase.COMMIT))
                || written.equals(List.of(Phase.FINAL_DUMP, Phase.RESTORE, Phase.COMMIT)), written.toString());
        MigrationRecord stored = store.get("m4").orElseThrow();
        assertEquals(4096, stored.statistics().imageBytes());
        assertEquals(42, stored.statistics().newRootPid());
        assertEquals(List.of(Phase.FINAL_DUMP, Phase.TRANSFER, Phase.RESTORE, Phase.COMMIT),
                stored.history().stream().map(h -> h.phase()).toList());
    }

    @Test
    void progressEventsArePublishedInOrderTheOutcomeLastWhenTheMigrationEnds() {
        MemoryStore store = new MemoryStore();
        RecordKeeper keeper = new RecordKeeper(store, CLOCK, first("m5"));
        keeper.enter(Phase.FINAL_DUMP, "freezing");
        keeper.progress("frozen");
        keeper.enter(Phase.TRANSFER, "sending");
        keeper.finish(Outcome.SUCCEEDED, null, "done");

        List<String> expected = List.of("migration of process:1 from a to b requested", "freezing", "frozen",
                "sending", "done");
        assertEquals(expected, store.events("m5").stream().map(e -> e.message()).toList());
    }

    @Test
    void aRollbackAnotherAgentWroteIsNeitherOverwrittenNorCommittedOver() {
        MemoryStore store = new MemoryStore();
        RecordKeeper keeper = new RecordKeeper(store, CLOCK, first("m2"));
        keeper.enter(Phase.FINAL_DUMP, "freezing");
        // the destination lost this agent and decided: rolled back
        assertFalse(CommitPoint.decideWithoutSource(store, "m2", "b", CLOCK.instant()));
        keeper.enter(Phase.TRANSFER, "sending");
        keeper.statistics(s -> s.withNewRootPid(42));

        assertFalse(keeper.commitPoint(), "the destination decided first");
        MigrationRecord stored = store.get("m2").orElseThrow();
        assertEquals(Outcome.ROLLED_BACK, stored.outcome());
        assertEquals(0, stored.statistics().newRootPid(), "no figure written over the decision");
        assertEquals(Outcome.ROLLED_BACK, keeper.current().outcome(), "the keeper reads the decision back");
    }

    @Test
    void aWriteThatFailedFailsTheCommitPoint() throws InterruptedException {
        CountDownLatch failing = new CountDownLatch(1);
        MemoryStore store = new MemoryStore() {
            @Override
            public boolean replace(MigrationRecord expected, MigrationRecord next) {
                if (next.phase() == Phase.TRANSFER) {
                    failing.countDown();
                    throw new IllegalStateException("the cluster is gone");
                }
                return super.replace(expected, next);
            }
        };
        RecordKeeper keeper = new RecordKeeper(store, CLOCK, first("m3"));
        keeper.enter(Phase.TRANSFER, "sending");
        failing.await();

        IllegalStateException thrown = assertThrows(IllegalStateException.class, keeper::commitPoint);
        assertEquals("the cluster is gone", thrown.getMessage());
        keeper.finish(Outcome.ROLLED_BACK, new MigrationError(Phase.TRANSFER, "internal", "x", ""), "rolled back");
        assertEquals(Outcome.ROLLED_BACK, store.get("m3").orElseThrow().outcome(), "the outcome is still written");
    }
}
