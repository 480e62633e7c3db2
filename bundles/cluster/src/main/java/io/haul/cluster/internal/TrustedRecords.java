package io.haul.cluster.internal;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.Outcome;
import io.haul.json.HaulJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migration records in the map {@value HazelcastCluster#MIGRATIONS_MAP}, as this agent trusts them: each
 * value a {@link SignedRecord} that {@link RecordSigner} checks before any read returns it, and a copy of every
 * trusted version on this agent's disk ({@link DurableRecords}).
 *
 * <p><b>What a stranger's write does.</b> Nothing but a log line: a value that is not signed by the migration's
 * source or destination with a certificate of the cluster CA, or that is older than the version this agent
 * already holds (a replay of an earlier state), is never returned; reads give the last trusted version, from
 * this agent's disk. A compare-and-set compares against that trusted version and writes over whatever the map
 * holds, a forgery included, so a forged commit point neither commits a migration nor stops its own agents from
 * committing it. A forged removal is undone the same way: the disk still has the record.
 *
 * <p><b>Durability.</b> Each agent keeps every trusted version it writes (before the write returns, so before
 * anyone acts on it) or sees (through an entry listener, as the cluster's events arrive). When it starts it puts
 * its copies back into the map where the map has none or an older one ({@link #load}), then says so with a signed
 * note in {@value HazelcastCluster#LOADED_MAP}. After every member stopped, the versions on the agents' disks are
 * prefixes of the one history the map had (a version is written by compare-and-set on the version before), so
 * once both agents of a migration loaded theirs, the map holds the newest version either had: recovery waits for
 * that ({@link io.haul.cluster.MigrationStore#recordsLoaded}).
 */
final class TrustedRecords implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrustedRecords.class);

    /** A record this agent may act on, with the stored form it came in. */
    record Trusted(MigrationRecord record, SignedRecord stored) {
    }

    private final IMap<String, String> records;
    private final IMap<String, String> loaded;
    private final RecordSigner signer;
    private final DurableRecords durable;
    private final int kept;
    private final UUID listener;
    /**
     * Records whose signature was checked, by their whole stored form: a listing of a thousand
     * records would otherwise check two thousand ECDSA signatures and read as many JSON texts each time.
     */
    private final Map<String, MigrationRecord> checked = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, MigrationRecord> eldest) {
                    return size() > 4 * kept + 64;
                }
            });

    TrustedRecords(IMap<String, String> records, IMap<String, String> loaded, RecordSigner signer,
            DurableRecords durable, int kept) {
        this.records = records;
        this.loaded = loaded;
        this.signer = signer;
        this.durable = durable;
        this.kept = kept;
        this.listener = records.addEntryListener(new Keeper(), true);
    }

    /** The newest version this agent trusts: the map's if trusted and not older than the disk's, else the disk's. */
    Optional<Trusted> get(String id) {
        Optional<Trusted> onDisk = durable.get(id).flatMap(copy -> check(id, copy, null));
        String stored = records.get(id);
        if (stored != null) {
            Optional<Trusted> inMap = decode(id, stored).flatMap(copy -> check(id, copy, null));
            if (inMap.isPresent() && (onDisk.isEmpty() || inMap.get().stored().seq() >= onDisk.get().stored().seq())) {
                durable.keepIfNewer(inMap.get().record(), inMap.get().stored());
                return inMap;
            }
        }
        return onDisk;
    }

    /** Writes the record's next version, signed, whatever the map holds. */
    void put(MigrationRecord record) {
        Objects.requireNonNull(record.id(), "a migration record needs an id");
        SignedRecord next = signer.sign(get(record.id()).map(t -> t.stored().seq() + 1).orElse(0L), HaulJson.write(record));
        records.set(record.id(), next.encode());
        durable.keepIfNewer(record, next);
        pruneIfEnded(record);
    }

    /**
     * Writes {@code next} only if the trusted version is still {@code expected} (null: there is none), comparing
     * records, not text; atomically against the map's value, so a write in between makes it fail.
     */
    boolean replace(MigrationRecord expected, MigrationRecord next) {
        Objects.requireNonNull(next.id(), "a migration record needs an id");
        if (expected != null && !next.id().equals(expected.id())) {
            throw new IllegalArgumentException("replace record " + expected.id() + " by one of another id, " + next.id());
        }
        String stored = records.get(next.id());
        Optional<Trusted> current = get(next.id());
        if (expected == null ? current.isPresent() : current.isEmpty() || !current.get().record().equals(expected)) {
            return false;
        }
        SignedRecord signed = signer.sign(current.map(t -> t.stored().seq() + 1).orElse(0L), HaulJson.write(next));
        boolean written = stored == null ? records.putIfAbsent(next.id(), signed.encode()) == null
                : records.replace(next.id(), stored, signed.encode());
        if (written) {
            durable.keepIfNewer(next, signed);
            pruneIfEnded(next);
        }
        return written;
    }

    /** Every trusted record, of the map and of this agent's disk. */
    List<MigrationRecord> list() {
        Set<String> ids = new TreeSet<>(records.keySet());
        ids.addAll(durable.all().keySet());
        List<MigrationRecord> all = new ArrayList<>();
        for (String id : ids) {
            get(id).ifPresent(t -> all.add(t.record()));
        }
        return all;
    }

    /**
     * Bounds the history to the newest {@code kept} ended records, then puts this agent's copies into the map where
     * it has none, an older one or one not to trust, then signs the note that this agent's records are in.
     */
    void load(String agent, UUID member) {
        // first: a copy put back and pruned after would come back through the listener's events
        List<String> pruned = durable.prune(kept);
        pruned.forEach(records::remove);
        int restored = 0;
        for (Map.Entry<String, SignedRecord> entry : durable.all().entrySet()) {
            String id = entry.getKey();
            SignedRecord copy = entry.getValue();
            if (check(id, copy, null).isEmpty()) {
                continue;
            }
            for (int attempt = 0; attempt < 10; attempt++) {
                String stored = records.get(id);
                Optional<SignedRecord> inMap = stored == null ? Optional.empty()
                        : decode(id, stored).filter(c -> check(id, c, null).isPresent());
                if (inMap.isPresent() && inMap.get().seq() >= copy.seq()) {
                    break;
                }
                if (stored == null ? records.putIfAbsent(id, copy.encode()) == null
                        : records.replace(id, stored, copy.encode())) {
                    restored++;
                    break;
                }
            }
        }
        loaded.set(agent, signer.signNote(loadedNote(agent, member)));
        LOG.info("put {} of the {} migration records kept on disk back into the cluster{}", restored, durable.size(),
                pruned.isEmpty() ? "" : "; removed the " + pruned.size() + " oldest ended ones beyond " + kept);
    }

    /** Whether {@code agent} said, signed, that its records are in the map, from a member that is still there. */
    boolean loadedBy(String agent, Set<UUID> liveMembers) {
        String note = loaded.get(agent);
        if (note == null) {
            return false;
        }
        UUID member;
        try {
            member = UUID.fromString(note.lines().findFirst().orElse("").replaceFirst("^loaded [^ ]+ ", ""));
        } catch (IllegalArgumentException e) {
            return false;
        }
        Optional<String> by = signer.noteSigner(note, loadedNote(agent, member));
        return liveMembers.contains(member) && by.isPresent() && (!signer.signs() || by.get().equals(agent));
    }

    private static String loadedNote(String agent, UUID member) {
        return "loaded " + agent + " " + member;
    }

    private void pruneIfEnded(MigrationRecord record) {
        if (record.outcome() != Outcome.IN_PROGRESS && durable.size() > kept) {
            durable.prune(kept).forEach(records::remove);
        }
    }

    private static Optional<SignedRecord> decode(String id, String stored) {
        try {
            return Optional.of(SignedRecord.decode(stored));
        } catch (IllegalArgumentException e) {
            LOG.debug("migration {}: the cluster's value does not read: {}", id, e.getMessage());
            return Optional.empty();
        }
    }

    /** The record, if trusted; else empty, logged at WARN when the writer is known (an event), else at DEBUG. */
    private Optional<Trusted> check(String id, SignedRecord copy, Member writer) {
        String key = copy.signed() ? copy.encode() : null; // the whole envelope: a stolen signature must not match
        MigrationRecord known = key == null ? null : checked.get(key);
        if (known != null && known.id().equals(id)) {
            return Optional.of(new Trusted(known, copy));
        }
        try {
            MigrationRecord record = signer.verify(copy);
            if (!id.equals(record.id())) {
                throw new RecordSigner.Untrusted("it is the record of migration " + record.id());
            }
            if (key != null) {
                checked.put(key, record);
            }
            return Optional.of(new Trusted(record, copy));
        } catch (RecordSigner.Untrusted e) {
            if (writer != null) {
                LOG.warn("ignored a record of migration {} written by {}: {}; nothing acts on it", id, describe(writer),
                        e.getMessage());
            } else {
                LOG.debug("migration {}: a stored value not to trust: {}", id, e.getMessage());
            }
            return Optional.empty();
        }
    }

    /** A member as a log line names it: address, UUID and the agent it says it is. */
    static String describe(Member member) {
        String agent = member.getAttribute(HazelcastCluster.AGENT_ATTRIBUTE);
        return "member " + member.getAddress() + " (" + member.getUuid() + ", "
                + (agent == null ? "no agent" : "calls itself agent " + agent) + ")";
    }

    /** Forgets this agent's disk copies (tests that start each case from nothing). */
    void forgetKept() {
        durable.clear();
    }

    @Override
    public void close() {
        try {
            records.removeEntryListener(listener);
        } catch (RuntimeException stopping) {
            // the member is stopping
        }
        durable.close();
    }

    /** Keeps on disk each trusted version the cluster's events bring, and names the writer of each one refused. */
    private final class Keeper implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String> {

        @Override
        public void entryAdded(EntryEvent<String, String> event) {
            keep(event);
        }

        @Override
        public void entryUpdated(EntryEvent<String, String> event) {
            keep(event);
        }

        private void keep(EntryEvent<String, String> event) {
            String id = event.getKey();
            Optional<SignedRecord> copy = decode(id, event.getValue());
            if (copy.isEmpty()) {
                LOG.warn("ignored a value for migration {} written by {}: it is no record; nothing acts on it", id,
                        describe(event.getMember()));
                return;
            }
            Optional<Trusted> trusted = check(id, copy.get(), event.getMember());
            if (trusted.isEmpty()) {
                return;
            }
            Optional<SignedRecord> onDisk = durable.get(id);
            if (onDisk.isPresent() && onDisk.get().seq() > copy.get().seq()) {
                if (!event.getValue().equals(records.get(id))) {
                    return; // a late event: the map has moved on since (this agent's own newer write, often)
                }
                LOG.warn("ignored a record of migration {} written by {}: version {} is older than version {} this "
                        + "agent holds (a replay?); nothing acts on it", id, describe(event.getMember()),
                        copy.get().seq(), onDisk.get().seq());
                return;
            }
            durable.keepIfNewer(trusted.get().record(), copy.get());
        }
    }
}
