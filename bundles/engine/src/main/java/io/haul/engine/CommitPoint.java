package io.haul.engine;

import io.haul.api.migration.MigrationError;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.Phase;
import io.haul.cluster.MigrationStore;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The commit rule, the one decision both sides of a migration follow: the record in the cluster passes the
 * commit point only by the source's compare-and-set to COMMIT, and a destination that lost its source writes a
 * rollback unless that happened first. Whichever write wins decides: from then on the destination's copy is
 * the container, or the source's. An agent that restarts decides the same way from the record.
 *
 * <p>One way back past the commit point: the destination's copy lost before it ever ran (the CRIU that held it
 * killed, its resume failed and its tasks are gone). The source ends its own frozen copy only once the destination
 * confirmed its copy runs, or, unconfirmed, once it moved the record on to CLEANUP; until then the destination may
 * void the commit by writing the rollback, and the source takes its copy back. Whichever write wins decides.
 */
final class CommitPoint {

    private CommitPoint() {
    }

    /** Whether a record has passed its commit point: the destination's copy is the container. */
    static boolean passed(MigrationRecord record) {
        return record.outcome() == Outcome.SUCCEEDED
                || record.outcome() == Outcome.IN_PROGRESS && !record.phase().rollsBack();
    }

    /**
     * Source side: moves the record from the version {@code stored} to {@code current} (the same, or with the
     * changes not written yet) at COMMIT, unless someone else wrote it first (the destination's rollback).
     * Returns the committed record, or empty when the migration may no longer commit.
     */
    static Optional<MigrationRecord> commit(MigrationStore store, MigrationRecord stored, MigrationRecord current,
            Instant now) {
        MigrationRecord next = current.entering(Phase.COMMIT, now);
        return store.replace(stored, next) ? Optional.of(next) : Optional.empty();
    }

    /**
     * Destination side, the source lost: whether its restored copy is the container. If the record has not passed
     * the commit point, writes the rollback, so that a source that comes back cannot commit any more.
     */
    static boolean decideWithoutSource(MigrationStore store, String id, String destination, Instant now) {
        return rollBackUnlessPassed(store, id, "transport.lost", "the destination " + destination
                + " lost the source before the commit point", now);
    }

    /**
     * Destination side, its copy can no longer become the container (the source lost, the held copy ended):
     * whether the record has passed the commit point all the same; if not, writes the rollback with this error,
     * so that the source can no longer commit.
     */
    static boolean rollBackUnlessPassed(MigrationStore store, String id, String code, String message, Instant now) {
        return rollBackWhile(store, id, record -> record.outcome() == Outcome.IN_PROGRESS && !passed(record), code,
                message, now).map(CommitPoint::passed).orElse(false);
    }

    /**
     * Destination side, after the commit point: its copy was lost before it ran. While the source has not ended its
     * own copy (the record still at COMMIT), writes the rollback with this error: the commit is void and the
     * source takes its copy back. Returns whether the commit is void; false when the source had ended its copy
     * first (then no copy runs).
     */
    static boolean voidUnlessSourceEnded(MigrationStore store, String id, String code, String message, Instant now) {
        return rollBackWhile(store, id, record -> record.outcome() == Outcome.IN_PROGRESS
                && record.phase() == Phase.COMMIT, code, message, now)
                .map(record -> record.outcome() == Outcome.ROLLED_BACK).orElse(false);
    }

    /**
     * Writes the rollback, by compare-and-set, as long as the stored record {@code may} still be rolled back; returns
     * the record as it then stands (rolled back by this write or another's, or passed on), empty when there is none.
     */
    private static Optional<MigrationRecord> rollBackWhile(MigrationStore store, String id,
            Predicate<MigrationRecord> may, String code, String message, Instant now) {
        while (true) {
            Optional<MigrationRecord> stored = store.get(id);
            if (stored.isEmpty() || !may.test(stored.get())) {
                return stored;
            }
            MigrationRecord record = stored.get();
            MigrationRecord rolledBack = record.ending(Outcome.ROLLED_BACK, new MigrationError(record.phase(), code,
                    message, ""), now);
            if (store.replace(record, rolledBack)) {
                return Optional.of(rolledBack);
            }
        }
    }
}
