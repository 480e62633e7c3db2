package io.haul.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.ContainerRef;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.MigrationStatistics;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.Phase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which migration folders an agent keeps: the newest ended ones, every one in flight, a fresh unrecorded one. */
class KeptFoldersTest {

    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

    @TempDir
    Path migrations;

    private final Map<String, MigrationRecord> records = new HashMap<>();

    @Test
    void theNewestEndedAreKeptAndEveryOneInFlightStays() throws Exception {
        for (int i = 1; i <= 5; i++) {
            folder("ended-" + i, NOW.minusSeconds(600 - i * 60), Outcome.SUCCEEDED);
        }
        folder("running", NOW.minusSeconds(3600 * 5), Outcome.IN_PROGRESS); // the oldest of all, still in flight
        folder("unrecorded-fresh", NOW.minusSeconds(60), null);
        folder("unrecorded-stale", NOW.minus(KeptFolders.UNRECORDED_GRACE).minusSeconds(1), null);

        int removed = new KeptFolders(migrations, 2, id -> Optional.ofNullable(records.get(id))).prune(NOW);

        assertEquals(4, removed);
        assertEquals(List.of("ended-4", "ended-5", "running", "unrecorded-fresh"), left());
    }

    @Test
    void noFolderOrFewerThanKeptIsNothingToDo() throws Exception {
        KeptFolders kept = new KeptFolders(migrations.resolve("none-yet"), 2, id -> Optional.empty());
        assertEquals(0, kept.prune(NOW));
        folder("ended-1", NOW.minusSeconds(60), Outcome.ROLLED_BACK);
        assertEquals(0, new KeptFolders(migrations, 2, id -> Optional.ofNullable(records.get(id))).prune(NOW));
        assertTrue(Files.isDirectory(migrations.resolve("ended-1/logs")));
    }

    private void folder(String id, Instant modified, Outcome outcome) throws Exception {
        Path folder = Files.createDirectories(migrations.resolve(id).resolve("logs"));
        Files.writeString(folder.resolve("dump.log"), "(00.01) a log\n");
        Files.setLastModifiedTime(migrations.resolve(id), FileTime.from(modified));
        if (outcome != null) {
            records.put(id, new MigrationRecord(id, ContainerRef.parse("process:1"), "a", "b", Phase.CLEANUP, outcome,
                    modified.minus(Duration.ofMinutes(1)), outcome == Outcome.IN_PROGRESS ? null : modified,
                    MigrationStatistics.NONE, null, List.of()));
        }
    }

    private List<String> left() throws Exception {
        try (var each = Files.list(migrations)) {
            return each.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
