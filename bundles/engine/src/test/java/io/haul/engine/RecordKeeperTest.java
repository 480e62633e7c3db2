package io.haul.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haul.api.migration.MigrationRecord.PhaseChange;
import io.haul.api.migration.MigrationStatistics;
import io.haul.api.migration.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordKeeperTest {

    @Test
    void eachPhaseLastsUntilTheNextOneAndTheLastUntilNow() {
        Instant t0 = Instant.parse("2026-11-26T00:00:00Z");
        List<PhaseChange> history = List.of(new PhaseChange(Phase.HANDSHAKE, t0),
                new PhaseChange(Phase.CHECKS, t0.plusMillis(120)), new PhaseChange(Phase.FINAL_DUMP, t0.plusMillis(500)));

        MigrationStatistics stats = RecordKeeper.withDurations(MigrationStatistics.NONE, history, t0.plusMillis(800));

        assertEquals(Duration.ofMillis(120), stats.phaseDurations().get(Phase.HANDSHAKE));
        assertEquals(Duration.ofMillis(380), stats.phaseDurations().get(Phase.CHECKS));
        assertEquals(Duration.ofMillis(300), stats.phaseDurations().get(Phase.FINAL_DUMP));
        assertEquals(3, stats.phaseDurations().size());
    }
}
