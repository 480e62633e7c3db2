package io.haul.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.Phase;
import io.haul.json.HaulJson;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The records file of a long-lived agent stays bounded: `./haul soak` found it growing by about 120 KiB per
 * migration (MVStore appends every commit, and with its background writer off nothing compacted the file).
 */
class DurableRecordsTest {

    private static final int KEPT = 10;
    /** How many versions of one record a migration writes (each phase, a few figures, the outcome). */
    private static final int VERSIONS = 12;

    @TempDir
    Path temp;

    @Test
    void theFileStopsGrowingOnceTheHistoryIsBounded() throws Exception {
        RecordSigner signer = RecordSigner.unsigned();
        long after100;
        try (DurableRecords durable = DurableRecords.open(temp)) {
            migrate(durable, signer, 0, 100);
            after100 = Files.size(temp.resolve(DurableRecords.FILE));
            migrate(durable, signer, 100, 300);
            assertEquals(KEPT, durable.size(), "the newest " + KEPT + " ended records are kept");
        }
        long after300 = Files.size(temp.resolve(DurableRecords.FILE));
        assertTrue(after300 <= after100 + 64 * 1024, "the records file grew from " + after100 + " bytes after 100 "
                + "migrations to " + after300 + " after 300, with " + KEPT + " records kept");
    }

    /** Migrations {@code from} to {@code to}, each record written version by version, the history pruned at its end. */
    private static void migrate(DurableRecords durable, RecordSigner signer, int from, int to) {
        for (int m = from; m < to; m++) {
            MigrationRecord record = Samples.running("m-" + m, "alpha", "beta", Samples.T0.plusSeconds(m));
            for (int v = 0; v < VERSIONS; v++) {
                MigrationRecord version = v == VERSIONS - 1
                        ? Samples.ended(record.id(), "alpha", "beta", record.started(), Outcome.SUCCEEDED)
                        : record.entering(Phase.values()[v % Phase.values().length], Samples.T0.plusSeconds(m + v));
                durable.keepIfNewer(version, signer.sign(v, HaulJson.write(version)));
            }
            durable.prune(KEPT);
        }
    }
}
