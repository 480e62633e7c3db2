package io.haul.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.ContainerRef;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.MigrationStatistics;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.Phase;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HaulJsonTest {

    private static final Instant T0 = Instant.parse("2026-12-03T06:00:00.123456789Z");

    @Test
    void aRecordRoundTripsExactlyAndReadsWithFieldsItDoesNotKnow() {
        MigrationRecord record = new MigrationRecord("m-1", new ContainerRef("process", "42"), "a", "b", Phase.RESTORE,
                Outcome.IN_PROGRESS, T0, null, new MigrationStatistics(Map.of(Phase.CHECKS, Duration.ofNanos(1500)),
                Duration.ofMillis(250), 10, 20, List.of(), 7), null, List.of(new MigrationRecord.PhaseChange(Phase.RESTORE, T0)));
        String json = HaulJson.write(record);
        assertEquals(record, HaulJson.read(json, MigrationRecord.class));
        assertTrue(json.contains("\"2026-12-03T06:00:00.123456789Z\""), json);
        String newer = json.replaceFirst("\\{", "{\"addedLater\":true,");
        assertEquals(record, HaulJson.read(newer, MigrationRecord.class), "an agent one version ahead wrote it");
    }

    @Test
    void thePrettyFormOrdersMapKeys() {
        String text = HaulJson.pretty(Map.of("b", 1, "a", 2));
        assertTrue(text.indexOf("\"a\"") < text.indexOf("\"b\"") && text.contains("\n"), text);
    }

    @Test
    void whatIsNotARecordSaysWhichTypeItWasNot() {
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> HaulJson.read("[1", MigrationRecord.class));
        assertTrue(e.getMessage().contains("MigrationRecord"), e.getMessage());
    }
}
