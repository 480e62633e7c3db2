package io.haul.api.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.haul.api.ContainerRef;
import io.haul.api.migration.MigrationRecord.PhaseChange;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationRecordTest {

    private static final Instant T0 = Instant.parse("2026-11-26T00:00:00Z");

    @Test
    void eachPhaseLastsUntilTheNextOneAndTheLastUntilNow() {
        List<PhaseChange> history = List.of(new PhaseChange(Phase.HANDSHAKE, T0),
                new PhaseChange(Phase.CHECKS, T0.plusMillis(120)), new PhaseChange(Phase.FINAL_DUMP, T0.plusMillis(500)));

        var durations = PhaseChange.durations(history, T0.plusMillis(800));

        assertEquals(Duration.ofMillis(120), durations.get(Phase.HANDSHAKE));
        assertEquals(Duration.ofMillis(380), durations.get(Phase.CHECKS));
        assertEquals(Duration.ofMillis(300), durations.get(Phase.FINAL_DUMP));
        assertEquals(3, durations.size());
    }

    @Test
    void aRecordEntersPhasesAndEndsThroughItsMethods() {
        MigrationRecord first = new MigrationRecord("m", new ContainerRef("process", "42"), "a", "b", Phase.HANDSHAKE,
                Outcome.IN_PROGRESS, T0, null, MigrationStatistics.NONE, null, List.of(new PhaseChange(Phase.HANDSHAKE, T0)));

        MigrationRecord checking = first.entering(Phase.CHECKS, T0.plusMillis(100))
                .withStatistics(first.statistics().plusBytesOnWire(10).plusBytesOnWire(5).withNewRootPid(7));
        MigrationRecord ended = checking.ending(Outcome.SUCCEEDED, null, T0.plusMillis(250));

        assertEquals(Phase.CHECKS, ended.phase());
        assertEquals(2, ended.history().size());
        assertEquals(15, ended.statistics().bytesOnWire());
        assertEquals(7, ended.statistics().newRootPid());
        assertEquals(Duration.ofMillis(150), ended.statistics().phaseDurations().get(Phase.CHECKS));
        assertEquals(T0.plusMillis(250), ended.ended());
        assertNull(ended.error());
    }

    @Test
    void anEtaIsTheRestAtTheRateSoFar() {
        assertEquals(Duration.ofSeconds(2), ProgressEvent.eta(100, 300, 100));
        assertNull(ProgressEvent.eta(-1, -1, 0), "not a transfer");
        assertNull(ProgressEvent.eta(100, 300, 0), "no rate yet");
    }
}
