package io.haul.engine;

import io.haul.api.migration.MigrationError;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.MigrationStatistics;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.Phase;
import io.haul.api.migration.ProgressEvent;
import io.haul.cluster.MigrationStore;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source's view of one migration record: every phase change, figure and outcome goes to the cluster's
 * store, and every step is also told to subscribers as a progress event.
 *
 * <p>Phase changes and figures are written behind the migration, in order, each a compare-and-set from the
 * version written before it: a record write (signed, put into the cluster, committed to both agents' disks)
 * took tens of ms here, five of them fell inside the frozen window, and none of them decides anything (issue
 * #16). A background write stores the newest record, so a burst of changes costs one write, not one each. The
 * commit point and the outcome do decide: they are written on the migration's thread once the write under way
 * has ended, and carry every change not stored yet (the writes still queued then are dropped), so the frozen
 * window waits for at most one write before its own. If a background write finds the record changed by someone
 * else (a destination that lost this agent wrote the rollback), the writes after it are dropped and the commit
 * point is refused; a write that failed fails the commit point with its error.
 *
 * <p>Progress events are published behind too, in order, on a chain of their own: a publish on the cluster's
 * globally ordered topic is a round trip to the member owning it, and several fell inside the frozen window.
 */
final class RecordKeeper {

    private static final Logger LOG = LoggerFactory.getLogger(RecordKeeper.class);
    /** One virtual thread per write, each started when the one before it has ended. */
    private static final Executor BEHIND = task -> Thread.ofVirtual().name("haul-record").start(task);
    /** The same for the progress events, apart from the writes: an event does not wait for a record write. */
    private static final Executor EVENTS = task -> Thread.ofVirtual().name("haul-progress").start(task);

    private final MigrationStore store;
    private final Clock clock;
    private MigrationRecord record;
    /** The version the last background write stored (touched only by the writes, one after the other). */
    private MigrationRecord stored;
    /** The newest version queued for the background writes: each stores this one, not the one it was queued for. */
    private volatile MigrationRecord queued;
    /** Set while the commit point or the outcome waits to write itself what is queued: the queued writes skip. */
    private volatile boolean superseded;
    /** Set by a background write that found another version stored than the one written before it. */
    private volatile boolean overtaken;
    private CompletableFuture<Void> writes = CompletableFuture.completedFuture(null);
    private CompletableFuture<Void> events = CompletableFuture.completedFuture(null);

    RecordKeeper(MigrationStore store, Clock clock, MigrationRecord first) {
        this.store = store;
        this.clock = clock;
        this.record = first;
        this.stored = first;
        this.queued = first;
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
        writeBehind(record.entering(phase, clock.instant()));
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
        writeBehind(record.withStatistics(change.apply(record.statistics())));
    }

    /**
     * A figure with no write of its own: the next write carries it (the commit point, or the outcome). For a figure
     * known just before the commit point, whose own write the commit point would have to wait for.
     */
    synchronized void statisticsWithNextWrite(UnaryOperator<MigrationStatistics> change) {
        record = record.withStatistics(change.apply(record.statistics()));
    }

    /**
     * Moves the record to the commit point ({@link CommitPoint#commit}) from the version stored last, with every
     * change since, unless the destination decided a rollback first: false then, with the stored record read back.
     */
    synchronized boolean commitPoint() {
        awaitWriteUnderWay();
        var committed = overtaken ? java.util.Optional.<MigrationRecord>empty()
                : CommitPoint.commit(store, stored, record, clock.instant());
        if (committed.isEmpty()) {
            store.get(record.id()).ifPresent(now -> record = now);
            return false;
        }
        record = committed.get();
        stored = record;
        queued = record;
        publish("commit point: the destination is the container now", -1, -1, 0, Outcome.IN_PROGRESS);
        return true;
    }

    /**
     * Past the commit point, the destination's confirmation not heard: moves the record on to CLEANUP by
     * compare-and-set, after which the destination can no longer void the commit ({@link
     * CommitPoint#voidUnlessSourceEnded}). Returns whether the source's copy goes; false when the destination voided
     * the commit first (the stored record read back).
     */
    synchronized boolean endingSourceCopy(String message) {
        awaitWriteUnderWay();
        MigrationRecord next = record.entering(Phase.CLEANUP, clock.instant());
        if (!overtaken && store.replace(stored, next)) {
            record = next;
            stored = next;
            queued = next;
            publish(message, -1, -1, 0, Outcome.IN_PROGRESS);
            return true;
        }
        store.get(record.id()).ifPresent(now -> record = now);
        return CommitPoint.passed(record);
    }

    synchronized void finish(Outcome outcome, MigrationError error, String message) {
        try {
            awaitWriteUnderWay();
        } catch (RuntimeException e) {
            LOG.warn("migration {}: a write of its record failed before its outcome: {}", record.id(), e.toString());
        }
        record = record.ending(outcome, error, clock.instant());
        stored = record;
        queued = record;
        store.put(record);
        publish(message, -1, -1, 0, outcome);
        events.join(); // the outcome is out, and every event before it, when the migration's thread ends
    }

    /** Queues {@code next} behind the writes already queued; it becomes the current record at once. */
    private void writeBehind(MigrationRecord next) {
        record = next;
        queued = next;
        writes = writes.thenRunAsync(() -> {
            MigrationRecord newest = queued;
            if (overtaken || superseded || newest == stored) {
                return; // decided elsewhere, written by the one who waits, or stored by a write before
            }
            if (store.replace(stored, newest)) {
                stored = newest;
            } else {
                overtaken = true;
                LOG.info("migration {}: its record was changed by another agent; the figures after are not written",
                        next.id());
            }
        }, BEHIND);
    }

    /**
     * Waits for the write under way, the queued ones skipped (the caller writes what they would have); one that
     * failed is thrown here, as if it had failed on this thread.
     */
    private void awaitWriteUnderWay() {
        superseded = true;
        try {
            writes.join();
        } catch (CompletionException e) {
            writes = CompletableFuture.completedFuture(null);
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw e;
        } finally {
            superseded = false;
        }
    }

    /** Publishes behind the migration, in order; an event the cluster cannot take (it is stopping) is dropped. */
    private synchronized void publish(String message, long done, long total, double rate, Outcome outcome) {
        MigrationRecord now = record;
        ProgressEvent event = new ProgressEvent(now.id(), now.phase(), message, done, total, rate,
                ProgressEvent.eta(done, total, rate), outcome, clock.instant());
        events = events.thenRunAsync(() -> {
            try {
                store.publish(event);
            } catch (RuntimeException e) {
                LOG.debug("migration {}: progress event not published: {}", event.migrationId(), e.toString());
            }
        }, EVENTS);
    }
}
