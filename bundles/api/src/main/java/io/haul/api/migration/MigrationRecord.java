package io.haul.api.migration;

import io.haul.api.ContainerRef;
import java.time.Instant;
import java.util.List;

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

    /** One entry of the history: a phase entered at a time. */
    public record PhaseChange(Phase phase, Instant at) {
    }
}
