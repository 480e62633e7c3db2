package io.haul.engine;

import io.haul.api.migration.MigrationError;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.MigrationStatistics;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.Phase;
import io.haul.api.migration.ProgressEvent;
import io.haul.cluster.MigrationStore;
import java.time.Clock;
import java.util.function.UnaryOperator;

/**
 * The source's view of one migration record: every phase change, figure and outcome goes to the cluster's
 * store, and every step is also told to subscribers as a progress event.
 */
final class RecordKeeper {

    private final MigrationStore store;
    private final Clock clock;
    private MigrationRecord record;

    RecordKeeper(MigrationStore store, Clock clock, MigrationRecord first) {
        this.store = store;
        this.clock = clock;
        this.record = first;
        store.put(first);
        publish("migration of " + first.container() + " from " + first.source() + " to " + first.destination()
                + " requested", -1, -1, 0, Outcome.IN_PROGRESS);
    }

    synchronized MigrationRecord current() {
        return record;
    }

    String id() {
        return current().id();
    }

    synchronized void enter(Phase phase, String message) {
        write(record.entering(phase, clock.instant()));
        publish(message, -1, -1, 0, Outcome.IN_PROGRESS);
    }

    /** A step within a phase; {@code done} and {@code total} are bytes of a transfer, -1 when not one. */
    void progress(String message, long done, long total, double bytesPerSecond) {
        publish(message, done, total, bytesPerSecond, Outcome.IN_PROGRESS);
    }

    /** A step within a phase that moves nothing. */
    void progress(String message) {
        progress(message, -1, -1, 0);
    }

    synchronized void statistics(UnaryOperator<MigrationStatistics> change) {
        write(record.withStatistics(change.apply(record.statistics())));
    }

    /**
     * Moves the record to the commit point ({@link CommitPoint#commit}), unless the destination decided a
     * rollback first: false then, with the stored record read back.
     */
    synchronized boolean commitPoint() {
        var committed = CommitPoint.commit(store, record, clock.instant());
        if (committed.isEmpty()) {
            store.get(record.id()).ifPresent(stored -> record = stored);
            return false;
        }
        record = committed.get();
        publish("commit point: the destination is the container now", -1, -1, 0, Outcome.IN_PROGRESS);
        return true;
    }

    synchronized void finish(Outcome outcome, MigrationError error, String message) {
        write(record.ending(outcome, error, clock.instant()));
        publish(message, -1, -1, 0, outcome);
    }

    private void write(MigrationRecord next) {
        record = next;
        store.put(next);
    }

    private void publish(String message, long done, long total, double rate, Outcome outcome) {
        MigrationRecord now = current();
        store.publish(new ProgressEvent(now.id(), now.phase(), message, done, total, rate,
                ProgressEvent.eta(done, total, rate), outcome, clock.instant()));
    }
}
