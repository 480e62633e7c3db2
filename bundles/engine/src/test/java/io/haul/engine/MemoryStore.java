package io.haul.engine;

import io.haul.api.ContainerRef;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.ProgressEvent;
import io.haul.api.migration.ProgressListener;
import io.haul.cluster.ContainerLock;
import io.haul.cluster.MigrationStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The cluster's records in memory, shared by the agents of a test in one JVM: records with compare-and-set, a
 * lock per container, cancel requests and progress events, as the Hazelcast store keeps them.
 */
class MemoryStore implements MigrationStore {

    private final Map<String, MigrationRecord> records = new ConcurrentHashMap<>();
    private final Map<ContainerRef, String> locks = new ConcurrentHashMap<>();
    private final Set<String> cancels = ConcurrentHashMap.newKeySet();
    private final List<ProgressEvent> events = new CopyOnWriteArrayList<>();
    private final List<Map.Entry<String, ProgressListener>> listeners = new CopyOnWriteArrayList<>();

    @Override
    public void put(MigrationRecord record) {
        records.put(record.id(), record);
    }

    @Override
    public Optional<MigrationRecord> get(String id) {
        return Optional.ofNullable(records.get(id));
    }

    @Override
    public boolean replace(MigrationRecord expected, MigrationRecord next) {
        return records.replace(expected.id(), expected, next);
    }

    @Override
    public List<MigrationRecord> list() {
        return List.copyOf(records.values());
    }

    @Override
    public List<MigrationRecord> inFlight(String agent) {
        return records.values().stream().filter(r -> r.outcome() == Outcome.IN_PROGRESS)
                .filter(r -> r.source().equals(agent) || r.destination().equals(agent)).toList();
    }

    /** Agents that are gone with their records (every member stopped) until {@link #back}. */
    private final Set<String> away = ConcurrentHashMap.newKeySet();

    void away(String agent) {
        away.add(agent);
    }

    void back(String agent) {
        away.remove(agent);
    }

    @Override
    public boolean recordsLoaded(String agent) {
        return !away.contains(agent);
    }

    @Override
    public Optional<ContainerLock> lock(ContainerRef container, String migrationId) {
        if (locks.putIfAbsent(container, migrationId) != null) {
            return Optional.empty();
        }
        return Optional.of(new ContainerLock() {
            @Override
            public String migrationId() {
                return migrationId;
            }

            @Override
            public void close() {
                locks.remove(container, migrationId);
            }
        });
    }

    @Override
    public Optional<String> lockHolder(ContainerRef container) {
        return Optional.ofNullable(locks.get(container));
    }

    /** Whether any container is still locked by a migration. */
    boolean anyLocked() {
        return !locks.isEmpty();
    }

    @Override
    public void requestCancel(String migrationId) {
        cancels.add(migrationId);
    }

    @Override
    public boolean cancelRequested(String migrationId) {
        return cancels.contains(migrationId);
    }

    @Override
    public void publish(ProgressEvent event) {
        events.add(event);
        for (Map.Entry<String, ProgressListener> listener : listeners) {
            if (listener.getKey().equals(event.migrationId())) {
                listener.getValue().progress(event);
            }
        }
    }

    /** Every event published for a migration so far, in order. */
    List<ProgressEvent> events(String migrationId) {
        return new ArrayList<>(events.stream().filter(e -> e.migrationId().equals(migrationId)).toList());
    }

    @Override
    public AutoCloseable subscribe(String migrationId, ProgressListener listener) {
        Map.Entry<String, ProgressListener> entry = Map.entry(migrationId, listener);
        listeners.add(entry);
        return () -> listeners.remove(entry);
    }
}
