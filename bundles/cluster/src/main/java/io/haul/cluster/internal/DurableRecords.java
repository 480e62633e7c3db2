package io.haul.cluster.internal;

import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This agent's copy of the migration records on its own disk, so that they outlive the cluster: when every
 * member stopped at once, the records (the commit point among them) are in the agents' state folders, and
 * each agent puts its copies back into the cluster when it starts.
 *
 * <p>One H2 MVStore file ({@code records.mv}), a map from migration id to the stored envelope
 * ({@link SignedRecord}'s text). MVStore because it is a well-kept embedded store that is a plain OSGi bundle
 * importing nothing but {@code javax.crypto} (no JDBC, no SQL engine), writes each commit as an append to its
 * file (a crash leaves the last commit whole: the file opens at it) and compacts itself; a folder of JSON files
 * would need the same atomic renames and fsyncs by hand. Each write is committed before it returns, so a
 * {@code kill -9} right after loses nothing; decisive writes (an outcome, the commit point) are synced to the
 * device too, for a host that loses power.
 *
 * <p>A copy is kept only when it is newer than the one on disk (a higher version number): copies arrive from the
 * cluster's events in any order, and the disk must never go back to an older state of a migration.
 */
final class DurableRecords implements AutoCloseable {

    static final String FILE = "records.mv";

    private static final Logger LOG = LoggerFactory.getLogger(DurableRecords.class);
    /**
     * How long one compaction may take (a few ms for a file of records; the first after opening the whole of it): it
     * runs as a migration's outcome is written, after its frozen window, and what it leaves the next one does.
     */
    private static final int COMPACT_MILLIS = 50;

    private final MVStore store;
    private final MVMap<String, String> records;

    private DurableRecords(MVStore store) {
        this.store = store;
        this.records = store.openMap("migrations");
    }

    /** Opens (or makes) the store in {@code folder}. */
    static DurableRecords open(Path folder) throws IOException {
        Files.createDirectories(folder);
        Path file = folder.resolve(FILE);
        // no background commits: every write commits itself, so the file never holds half of one
        MVStore store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().compress().open();
        DurableRecords durable = new DurableRecords(store);
        LOG.info("{} migration records kept in {}", durable.records.size(), file);
        return durable;
    }

    Optional<SignedRecord> get(String id) {
        String stored = records.get(id);
        if (stored == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(SignedRecord.decode(stored));
        } catch (IllegalArgumentException e) {
            LOG.warn("migration {}: the copy on disk does not read ({}); ignored", id, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Keeps {@code copy} of the record {@code record} (what {@code copy} holds, already checked) unless the disk
     * has the same or a newer version. Returns whether it was kept.
     */
    synchronized boolean keepIfNewer(MigrationRecord record, SignedRecord copy) {
        Optional<SignedRecord> kept = get(record.id());
        if (kept.isPresent() && kept.get().seq() >= copy.seq()) {
            return false;
        }
        records.put(record.id(), copy.encode());
        store.commit();
        if (record.outcome() != Outcome.IN_PROGRESS || !record.phase().rollsBack() || decisive(kept, record)) {
            store.sync();
        }
        if (record.outcome() != Outcome.IN_PROGRESS) {
            compact();
        }
        return true;
    }

    /** Rewrites the file's live data together, which drops the dead versions and shrinks the file. */
    private void compact() {
        store.compactFile(COMPACT_MILLIS);
    }

    /** Whether the write moves the record across its commit point (or to its end): worth the device's flush. */
    private static boolean decisive(Optional<SignedRecord> before, MigrationRecord after) {
        return before.map(b -> {
            try {
                MigrationRecord old = b.record();
                return old.phase() != after.phase() || old.outcome() != after.outcome();
            } catch (RuntimeException unreadable) {
                return true;
            }
        }).orElse(true);
    }

    /** Every copy on disk, by id; one that does not read is left out (and logged). */
    Map<String, SignedRecord> all() {
        Map<String, SignedRecord> all = new LinkedHashMap<>();
        for (String id : new ArrayList<>(records.keySet())) {
            get(id).ifPresent(copy -> all.put(id, copy));
        }
        return all;
    }

    /**
     * Removes the ended records beyond the newest {@code kept} (by start time); in-flight ones always stay.
     * Returns the ids removed.
     */
    synchronized List<String> prune(int kept) {
        List<Map.Entry<String, MigrationRecord>> ended = new ArrayList<>();
        all().forEach((id, copy) -> {
            try {
                MigrationRecord record = copy.record();
                if (record.outcome() != Outcome.IN_PROGRESS) {
                    ended.add(Map.entry(id, record));
                }
            } catch (RuntimeException unreadable) {
                ended.add(Map.entry(id, null)); // nothing to keep of it
            }
        });
        if (ended.size() <= kept) {
            return List.of();
        }
        ended.sort(Comparator.comparing((Map.Entry<String, MigrationRecord> e) -> e.getValue(),
                Comparator.nullsFirst(HazelcastMigrationStore.NEWEST_FIRST.reversed())));
        List<String> removed = new ArrayList<>();
        for (Map.Entry<String, MigrationRecord> entry : ended.subList(0, ended.size() - kept)) {
            records.remove(entry.getKey());
            removed.add(entry.getKey());
        }
        store.commit();
        compact();
        return removed;
    }

    /** Forgets every copy (tests that start each case from nothing). */
    synchronized void clear() {
        records.clear();
        store.commit();
    }

    int size() {
        return records.size();
    }

    @Override
    public void close() {
        store.close();
    }
}
