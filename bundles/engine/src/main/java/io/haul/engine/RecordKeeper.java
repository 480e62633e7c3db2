package io.haul.engine;

import io.haul.api.migration.MigrationError;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.MigrationRecord.PhaseChange;
import io.haul.api.migration.MigrationStatistics;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.Phase;
import io.haul.api.migration.ProgressEvent;
import io.haul.api.strategy.RoundStats;
import io.haul.cluster.MigrationStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
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

    synchronized void enter(Phase phase, String message) {
        Instant now = clock.instant();
        List<PhaseChange> history = new ArrayList<>(record.history());
        history.add(new PhaseChange(phase, now));
        write(withHistory(record, phase, history, now));
        publish(message, -1, -1, 0, Outcome.IN_PROGRESS);
    }

    void progress(String message, long done, long total, double bytesPerSecond) {
        publish(message, done, total, bytesPerSecond, Outcome.IN_PROGRESS);
    }

    synchronized void statistics(UnaryOperator<MigrationStatistics> change) {
        MigrationStatistics next = change.apply(record.statistics());
        write(copy(record, record.phase(), record.outcome(), record.ended(), next, record.error(), record.history()));
    }

    synchronized void round(RoundStats round) {
        statistics(s -> new MigrationStatistics(s.phaseDurations(), s.frozen(), s.bytesOnWire() + round.bytesSent(),
                s.imageBytes(), append(s.rounds(), round), s.newRootPid()));
    }

    /**
     * Moves the record to the commit point, unless the destination decided a rollback first (it does when it
     * lost us): the one decision both sides follow.
     */
    synchronized boolean commitPoint() {
        Instant now = clock.instant();
        List<PhaseChange> history = new ArrayList<>(record.history());
        history.add(new PhaseChange(Phase.COMMIT, now));
        MigrationRecord next = withHistory(record, Phase.COMMIT, history, now);
        if (!store.replace(record, next)) {
            store.get(record.id()).ifPresent(stored -> record = stored);
            return false;
        }
        record = next;
        publish("commit point: the destination is the container now", -1, -1, 0, Outcome.IN_PROGRESS);
        return true;
    }

    synchronized void finish(Outcome outcome, MigrationError error, String message) {
        Instant now = clock.instant();
        MigrationStatistics stats = withDurations(record.statistics(), record.history(), now);
        write(copy(record, record.phase(), outcome, now, stats, error, record.history()));
        publish(message, -1, -1, 0, outcome);
    }

    private void write(MigrationRecord next) {
        record = next;
        store.put(next);
    }

    private void publish(String message, long done, long total, double rate, Outcome outcome) {
        MigrationRecord now = record;
        store.publish(new ProgressEvent(now.id(), now.phase(), message, done, total, rate, outcome, clock.instant()));
    }

    private static MigrationRecord withHistory(MigrationRecord r, Phase phase, List<PhaseChange> history, Instant now) {
        return copy(r, phase, r.outcome(), r.ended(), withDurations(r.statistics(), history, now), r.error(), history);
    }

    /** Each phase lasts from its entry to the next phase's entry, the last one until now. */
    static MigrationStatistics withDurations(MigrationStatistics s, List<PhaseChange> history, Instant now) {
        Map<Phase, Duration> durations = new EnumMap<>(Phase.class);
        for (int i = 0; i < history.size(); i++) {
            Instant end = i + 1 < history.size() ? history.get(i + 1).at() : now;
            durations.merge(history.get(i).phase(), Duration.between(history.get(i).at(), end), Duration::plus);
        }
        return new MigrationStatistics(durations, s.frozen(), s.bytesOnWire(), s.imageBytes(), s.rounds(), s.newRootPid());
    }

    private static MigrationRecord copy(MigrationRecord r, Phase phase, Outcome outcome, Instant ended,
            MigrationStatistics stats, MigrationError error, List<PhaseChange> history) {
        return new MigrationRecord(r.id(), r.container(), r.source(), r.destination(), phase, outcome, r.started(),
                ended, stats, error, history);
    }

    private static <T> List<T> append(List<T> list, T item) {
        List<T> copy = new ArrayList<>(list);
        copy.add(item);
        return copy;
    }
}
