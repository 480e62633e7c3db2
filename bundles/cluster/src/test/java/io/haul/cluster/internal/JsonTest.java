package io.haul.cluster.internal;

import io.haul.json.HaulJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.Phase;
import io.haul.api.migration.ProgressEvent;
import io.haul.cluster.AgentInfo;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void aRecordKeepsEveryField() {
        MigrationRecord record = Samples.full("m-1");
        String json = HaulJson.write(record);
        assertEquals(record, HaulJson.read(json, MigrationRecord.class), json);
        assertTrue(json.contains("\"PT3.456789012S\""), "durations as ISO-8601: " + json);
        assertTrue(json.contains("\"2026-03-01T10:15:30.123456789Z\""), "instants as ISO-8601: " + json);
    }

    @Test
    void aRecordWithoutEndOrErrorKeepsItsNulls() {
        MigrationRecord record = Samples.running("m-2", "a", "b", Samples.T0);
        assertEquals(record, HaulJson.read(HaulJson.write(record), MigrationRecord.class));
    }

    @Test
    void unknownPropertiesAreIgnoredAndAbsentListsReadEmpty() {
        String json = "{\"id\":\"m-3\",\"container\":{\"backend\":\"process\",\"id\":\"7\"},\"source\":\"a\","
                + "\"destination\":\"b\",\"phase\":\"CHECKS\",\"outcome\":\"IN_PROGRESS\","
                + "\"started\":\"2026-03-01T10:15:30Z\",\"fromANewerAgent\":{\"x\":1},"
                + "\"statistics\":{\"frozen\":\"PT0S\",\"bytesOnWire\":1,\"imageBytes\":2,\"newRootPid\":0}}";
        MigrationRecord record = HaulJson.read(json, MigrationRecord.class);
        assertEquals("m-3", record.id());
        assertTrue(record.history().isEmpty());
        assertTrue(record.statistics().rounds().isEmpty());
        assertTrue(record.statistics().phaseDurations().isEmpty());
    }

    @Test
    void progressEventsAndAgentEntriesRoundTrip() {
        ProgressEvent event = new ProgressEvent("m-4", Phase.TRANSFER, "pages", 1024, 4096, 1.5e9,
                java.time.Duration.ofNanos(2048), Outcome.IN_PROGRESS, Samples.T0);
        assertEquals(event, HaulJson.read(HaulJson.write(event), ProgressEvent.class));
        ProgressEvent nan = new ProgressEvent("m-4", Phase.TRANSFER, "", -1, -1, Double.NaN, null,
                Outcome.SUCCEEDED, Samples.T0);
        assertEquals(nan, HaulJson.read(HaulJson.write(nan), ProgressEvent.class));

        HazelcastAgentRegistry.Entry entry = new HazelcastAgentRegistry.Entry(UUID.randomUUID(),
                new AgentInfo("alpha", "10.0.0.1:7000", Map.of("criu", "4.2.1", "backends", "process"), Samples.T0));
        assertEquals(entry, HaulJson.read(HaulJson.write(entry), HazelcastAgentRegistry.Entry.class));
    }
}
