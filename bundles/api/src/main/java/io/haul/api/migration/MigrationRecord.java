package io.haul.api.migration;

import io.haul.api.ContainerRef;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A migration as the cluster records it: the shared state an agent that restarts reads to finish or
 * roll back what it was doing.
 *
 * @param id          cluster-wide id
 * @param container   what is moved
 * @param source      the source agent's name
 * @param destination the destination agent's name
 * @param phase       the current (or last) phase
 * @param outcome     how it ended, or {@link Outcome#IN_PROGRESS}
 * @param started     when it was requested
 * @param ended       when it ended, or null
 * @param statistics  figures so far
 * @param error       why it failed, or null
 * @param history     each phase entered, in order
 */
public record MigrationRecord(String id, ContainerRef container, String source, String destination, Phase phase,
        Outcome outcome, Instant started, Instant ended, MigrationStatistics statistics, MigrationError error,
        List<PhaseChange> history) {

    public MigrationRecord {
        history = List.copyOf(history);
    }

    /**
     * This record having entered {@code next} at {@code at}: the phase, its history entry, and each phase's
     * duration up to now.
     */
    public MigrationRecord entering(Phase next, Instant at) {
        List<PhaseChange> longer = new ArrayList<>(history);
        longer.add(new PhaseChange(next, at));
        return new MigrationRecord(id, container, source, destination, next, outcome, started, ended,
                statistics.withPhaseDurations(PhaseChange.durations(longer, at)), error, longer);
    }

    public MigrationRecord withStatistics(MigrationStatistics figures) {
        return new MigrationRecord(id, container, source, destination, phase, outcome, started, ended, figures, error,
                history);
    }

    /** This record ended at {@code at} with {@code how} (and {@code why}, or null), each phase's duration final. */
    public MigrationRecord ending(Outcome how, MigrationError why, Instant at) {
        return new MigrationRecord(id, container, source, destination, phase, how, started, at,
                statistics.withPhaseDurations(PhaseChange.durations(history, at)), why, history);
    }

    /** One entry of the history: a phase entered at a time. */
    public record PhaseChange(Phase phase, Instant at) {

        /** Each phase lasts from its entry to the next phase's entry, the last one until {@code now}. */
        public static Map<Phase, Duration> durations(List<PhaseChange> history, Instant now) {
            Map<Phase, Duration> durations = new EnumMap<>(Phase.class);
            for (int i = 0; i < history.size(); i++) {
                Instant end = i + 1 < history.size() ? history.get(i + 1).at() : now;
                durations.merge(history.get(i).phase(), Duration.between(history.get(i).at(), end), Duration::plus);
            }
            return durations;
        }
    }
}
