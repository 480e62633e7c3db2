package io.haul.cluster.internal;

import io.haul.json.HaulJson;
import com.hazelcast.map.IMap;
import com.hazelcast.topic.ITopic;
import io.haul.api.ContainerRef;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.ProgressEvent;
import io.haul.api.migration.ProgressListener;
import io.haul.cluster.ContainerLock;
import io.haul.cluster.MigrationStore;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Migration records in {@value HazelcastCluster#MIGRATIONS_MAP} (id → signed record, {@link TrustedRecords}), container locks in
 * {@value HazelcastCluster#LOCKS_MAP}, cancel requests in {@value HazelcastCluster#CANCELS_MAP} and progress
 * events on the topic {@value HazelcastCluster#PROGRESS_TOPIC}.
 *
 * <p><b>Container locks.</b> A lock is the map entry {@code backend:id → {migrationId, member, agent, since}},
 * taken with {@code putIfAbsent} and released with a conditional {@code remove(key, value)}. The holder is
 * the migration and the member it runs on, not a thread: a migration moves between threads (engine,
 * transport, Vert.x callbacks) and may be finished by whichever thread sees its end. When the holding member
 * leaves the cluster (clean stop or crash), its locks are released by the membership listener of the
 * members that remain ({@link #releaseLocksOfDeparted}), and a lock whose member is already gone counts as
 * free even before that. The alternatives were weighed:
 * <ul>
 * <li>{@code IMap.lock}/{@code tryLock}: released on the owner's departure too, but owned by a thread;
 * unlocking from another thread fails, so a migration could never hand its lock on, and {@code forceUnlock}
 * would bypass the ownership it is meant to check.</li>
 * <li>{@code FencedLock} (CP subsystem): linearizable, but needs 3+ CP members; with fewer it runs in "unsafe
 * mode", with no better guarantee than the map, at the price of the CP machinery. Also thread-owned.</li>
 * </ul>
 * Like every AP structure, the map cannot stop two halves of a split cluster from each taking the lock; the
 * migration's own handshake between source and destination is what a split cannot fool.
 *
 * <p><b>Progress.</b> One topic for every migration, events as JSON, each subscription filtering its
 * migration's. The topic is globally ordered, so every subscriber sees one migration's events in the same
 * order even when both source and destination publish them; a subscription delivers on Hazelcast's event
 * thread, one event at a time. Listeners must return quickly.
 */
final class HazelcastMigrationStore implements MigrationStore, AutoCloseable {

    /** What the lock map holds per container. */
    public record LockEntry(String migrationId, UUID member, String agent, Instant since) {
    }

    static final int CANCEL_TTL_HOURS = 24;

    private static final Logger LOG = LoggerFactory.getLogger(HazelcastMigrationStore.class);

    /** Newest first; records without a start time last; ties by id for a stable order. */
    static final Comparator<MigrationRecord> NEWEST_FIRST = Comparator
            .comparing(MigrationRecord::started, Comparator.nullsFirst(Comparator.<Instant>naturalOrder()))
            .thenComparing(MigrationRecord::id, Comparator.nullsFirst(Comparator.<String>naturalOrder()))
            .reversed();

    private final TrustedRecords records;
    private final RecordSigner signer;
    private final IMap<String, String> locks;
    private final IMap<String, String> cancels;
    private final ITopic<String> progress;
    private final Supplier<UUID> self;
    private final Supplier<String> agentName;
    private final Supplier<Set<UUID>> liveMembers;
    private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();

    HazelcastMigrationStore(TrustedRecords records, RecordSigner signer, IMap<String, String> locks,
            IMap<String, String> cancels, ITopic<String> progress, Supplier<UUID> self, Supplier<String> agentName, Supplier<Set<UUID>> liveMembers) {
        this.records = records;
        this.signer = signer;
        this.locks = locks;
        this.cancels = cancels;
        this.progress = progress;
        this.self = self;
        this.agentName = agentName;
        this.liveMembers = liveMembers;
    }

    @Override
    public void put(MigrationRecord record) {
        records.put(record);
    }

    @Override
    public Optional<MigrationRecord> get(String id) {
        return id == null ? Optional.empty() : records.get(id).map(TrustedRecords.Trusted::record);
    }

    /**
     * Compares the trusted record with {@code expected} as records (not as JSON text, whose map order may
     * differ between JVMs), then swaps the stored value for {@code next}'s atomically: a write in between makes
     * the swap, and so this call, fail. A null {@code expected} means "only if there is no record yet".
     */
    @Override
    public boolean replace(MigrationRecord expected, MigrationRecord next) {
        return records.replace(expected, next);
    }

    @Override
    public List<MigrationRecord> list() {
        return records.list().stream().sorted(NEWEST_FIRST).toList();
    }

    @Override
    public boolean recordsLoaded(String agent) {
        return records.loadedBy(agent, liveMembers.get());
    }

    @Override
    public List<MigrationRecord> inFlight(String agent) {
        return list().stream()
                .filter(r -> r.outcome() == Outcome.IN_PROGRESS)
                .filter(r -> Objects.equals(agent, r.source()) || Objects.equals(agent, r.destination()))
                .toList();
    }

    /**
     * Takes the container's lock. The same migration taking it again (e.g. an agent resuming it) gets it,
     * now held by this member; a lock whose member left the cluster is taken over.
     */
    @Override
    public Optional<ContainerLock> lock(ContainerRef container, String migrationId) {
        Objects.requireNonNull(migrationId, "a lock is held for a migration");
        String key = container.toString();
        String mine = HaulJson.write(new LockEntry(migrationId, self.get(), agentName.get(), Instant.now()));
        while (true) {
            String held = locks.putIfAbsent(key, mine);
            if (held == null) {
                return Optional.of(new Lock(key, migrationId, mine));
            }
            LockEntry holder = HaulJson.read(held, LockEntry.class);
            if (!liveMembers.get().contains(holder.member())) {
                locks.remove(key, held); // its member left; the sweep may not have run yet
            } else if (holder.migrationId().equals(migrationId)) {
                if (locks.replace(key, held, mine)) {
                    return Optional.of(new Lock(key, migrationId, mine));
                }
            } else {
                return Optional.empty();
            }
        }
    }

    @Override
    public Optional<String> lockHolder(ContainerRef container) {
        String held = locks.get(container.toString());
        if (held == null) {
            return Optional.empty();
        }
        LockEntry holder = HaulJson.read(held, LockEntry.class);
        return liveMembers.get().contains(holder.member()) ? Optional.of(holder.migrationId()) : Optional.empty();
    }

    /** Releases the locks of members not in {@code live}; returns how many. */
    int releaseLocksOfDeparted(Set<UUID> live) {
        int released = 0;
        for (Map.Entry<String, String> entry : locks.entrySet()) {
            LockEntry holder = HaulJson.read(entry.getValue(), LockEntry.class);
            if (!live.contains(holder.member()) && locks.remove(entry.getKey(), entry.getValue())) {
                LOG.info("released the lock of {} held by migration {} of agent {}, whose member left",
                        entry.getKey(), holder.migrationId(), holder.agent());
                released++;
            }
        }
        return released;
    }

    /**
     * Marks the migration cancelled in the map {@value HazelcastCluster#CANCELS_MAP}, which every agent reads, with
     * a note this agent signs (a cancel rolls a migration back, so a stranger's must count for nothing); the mark
     * expires after {@value #CANCEL_TTL_HOURS} h, far beyond any migration.
     */
    @Override
    public void requestCancel(String migrationId) {
        Objects.requireNonNull(migrationId, "cancel a migration by its id");
        cancels.set(migrationId, signer.signNote(cancelNote(migrationId)), CANCEL_TTL_HOURS, TimeUnit.HOURS);
        LOG.info("migration {}: cancel asked for by agent {}", migrationId, agentName.get());
    }

    /** Whether a cancel was asked for by a holder of a certificate of the cluster CA (an agent or an operator). */
    @Override
    public boolean cancelRequested(String migrationId) {
        if (migrationId == null) {
            return false;
        }
        String note = cancels.get(migrationId);
        if (note != null && signer.noteSigner(note, cancelNote(migrationId)).isEmpty()) {
            LOG.debug("migration {}: a cancel mark not signed by the cluster's CA; ignored", migrationId);
            return false;
        }
        return note != null;
    }

    private static String cancelNote(String migrationId) {
        return "cancel " + migrationId;
    }

    @Override
    public void publish(ProgressEvent event) {
        Objects.requireNonNull(event.migrationId(), "a progress event belongs to a migration");
        progress.publish(HaulJson.write(event));
    }

    @Override
    public AutoCloseable subscribe(String migrationId, ProgressListener listener) {
        Objects.requireNonNull(migrationId, "subscribe to a migration by its id");
        Objects.requireNonNull(listener, "listener");
        Subscription subscription = new Subscription(migrationId, listener);
        subscription.registration = progress.addMessageListener(message -> subscription.deliver(message.getMessageObject()));
        subscriptions.add(subscription);
        return subscription;
    }

    @Override
    public AutoCloseable subscribeAll(ProgressListener listener) {
        Objects.requireNonNull(listener, "listener");
        Subscription subscription = new Subscription(null, listener);
        subscription.registration = progress.addMessageListener(message -> subscription.deliver(message.getMessageObject()));
        subscriptions.add(subscription);
        return subscription;
    }

    /** The records as this agent trusts them and keeps them on disk. */
    TrustedRecords records() {
        return records;
    }

    /** Ends the subscriptions still open and closes the records' disk copy (the member is stopping). */
    @Override
    public void close() {
        subscriptions.forEach(Subscription::close);
        records.close();
    }

    private final class Lock implements ContainerLock {
        private final String key;
        private final String migrationId;
        private final String value;

        Lock(String key, String migrationId, String value) {
            this.key = key;
            this.migrationId = migrationId;
            this.value = value;
        }

        @Override
        public String migrationId() {
            return migrationId;
        }

        /** Releases the lock if this handle still holds it; idempotent. */
        @Override
        public void close() {
            locks.remove(key, value);
        }

        @Override
        public String toString() {
            return "lock of " + key + " for migration " + migrationId;
        }
    }

    private final class Subscription implements AutoCloseable {
        /** The migration whose events are delivered, or null for every migration's. */
        private final String migrationId;
        private final ProgressListener listener;
        private volatile UUID registration;
        private volatile boolean closed;

        Subscription(String migrationId, ProgressListener listener) {
            this.migrationId = migrationId;
            this.listener = listener;
        }

        void deliver(String json) {
            if (closed) {
                return; // an event already queued when the subscription was closed
            }
            ProgressEvent event;
            try {
                event = HaulJson.read(json, ProgressEvent.class);
            } catch (RuntimeException e) {
                LOG.warn("ignored a progress event that does not read: {}", e.getMessage());
                return;
            }
            if (migrationId != null && !migrationId.equals(event.migrationId())) {
                return;
            }
            try {
                listener.progress(event);
            } catch (RuntimeException e) {
                LOG.warn("a listener of migration {}'s progress failed on {}", migrationId, event, e);
            }
        }

        /** Stops delivery at once; no event reaches the listener after this returns (one in progress ends). */
        @Override
        public void close() {
            closed = true;
            subscriptions.remove(this);
            UUID id = registration;
            if (id != null) {
                try {
                    progress.removeMessageListener(id);
                } catch (RuntimeException e) {
                    LOG.debug("progress listener of {} not removed (member stopping?)", migrationId, e);
                }
            }
        }
    }
}
