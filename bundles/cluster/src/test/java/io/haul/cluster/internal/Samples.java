package io.haul.cluster.internal;

import io.haul.api.ContainerRef;
import io.haul.api.migration.MigrationError;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.MigrationRecord.PhaseChange;
import io.haul.api.migration.MigrationStatistics;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.Phase;
import io.haul.api.strategy.RoundStats;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Records with every field set. */
final class Samples {

    static final Instant T0 = Instant.parse("2026-03-01T10:15:30.123456789Z");

    private Samples() {
    }

    /** A finished, rolled-back migration: statistics with rounds, a history, an error. */
    static MigrationRecord full(String id) {
        MigrationStatistics statistics = new MigrationStatistics(
                Map.of(Phase.HANDSHAKE, Duration.ofMillis(12), Phase.PRECOPY, Duration.ofSeconds(3, 456_789_012),
                        Phase.FINAL_DUMP, Duration.ofNanos(1)),
                Duration.ofMillis(287), 123_456_789_012L, 42_000_000L,
                List.of(new RoundStats(1, 65_536, 65_000, 64_000, 262_144_000, Duration.ofMillis(900), 1234.5,
                                Duration.ofMillis(800)),
                        new RoundStats(2, 65_536, 2_000, 1_900, 7_782_400, Duration.ofMillis(40), 0.25,
                                Duration.ofMillis(35))),
                4242);
        return new MigrationRecord(id, new ContainerRef("process", "4242"), "alpha", "beta", Phase.RESTORE,
                Outcome.ROLLED_BACK, T0, T0.plusMillis(4_321), statistics,
                new MigrationError(Phase.RESTORE, "restore-failed", "criu restore: exit 1", "/var/lib/haul/x/restore.log"),
                List.of(new PhaseChange(Phase.HANDSHAKE, T0), new PhaseChange(Phase.PRECOPY, T0.plusMillis(12)),
                        new PhaseChange(Phase.RESTORE, T0.plusMillis(4_000))));
    }

    /** A migration in progress, without end, statistics figures or error. */
    static MigrationRecord running(String id, String source, String destination, Instant started) {
        return new MigrationRecord(id, new ContainerRef("process", id), source, destination, Phase.PRECOPY,
                Outcome.IN_PROGRESS, started, null, MigrationStatistics.NONE, null,
                List.of(new PhaseChange(Phase.HANDSHAKE, started)));
    }

    static MigrationRecord ended(String id, String source, String destination, Instant started, Outcome outcome) {
        MigrationRecord r = running(id, source, destination, started);
        return new MigrationRecord(r.id(), r.container(), r.source(), r.destination(), Phase.CLEANUP, outcome,
                r.started(), started.plusSeconds(5), r.statistics(), r.error(), r.history());
    }
}
