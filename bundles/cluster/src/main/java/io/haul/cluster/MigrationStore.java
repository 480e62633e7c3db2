package io.haul.cluster;

import io.haul.api.ContainerRef;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.ProgressEvent;
import io.haul.api.migration.ProgressListener;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** The migration records of the whole cluster, with a lock per container and progress events. */
@ProviderType
public interface MigrationStore {

    /** Writes a record (a new one, or the next state of one). */
    void put(MigrationRecord record);

    Optional<MigrationRecord> get(String id);

    /**
     * Writes {@code next} only if the stored record is still {@code expected}; false when another write came
     * first. The commit point is decided this way: the source moves the record to COMMIT and a destination
     * that lost its source moves it to a rollback, and only one of the two can win.
     */
    boolean replace(MigrationRecord expected, MigrationRecord next);

    /** Every record, newest first. */
    List<MigrationRecord> list();

    /** Records still in progress in which this agent is the source or the destination. */
    List<MigrationRecord> inFlight(String agent);

    /**
     * Whether {@code agent} runs in the cluster and has put the records it keeps on its disk back into it. Before
     * that, the cluster may lack the newest version of a record that only that agent's disk holds (every member
     * stopped at once): a recovery that decides a migration from its record waits for both of its agents.
     */
    default boolean recordsLoaded(String agent) {
        return true;
    }

    /** Takes the container's lock for a migration, or empty when another migration holds it. */
    Optional<ContainerLock> lock(ContainerRef container, String migrationId);

    /** The migration that holds the container's lock now, if any. */
    Optional<String> lockHolder(ContainerRef container);

    /** Asks the agent running the migration to cancel it (it acts only before the commit point). */
    void requestCancel(String migrationId);

    /** Whether a cancel of the migration was asked for, from any agent. */
    boolean cancelRequested(String migrationId);

    /** Sends a progress event to every subscriber of the migration, on any agent. */
    void publish(ProgressEvent event);

    /** Receives the migration's progress events until closed. */
    AutoCloseable subscribe(String migrationId, ProgressListener listener);

    /**
     * Receives every migration's progress events until closed, in the one order every subscriber sees (the event-bus
     * API relays them). A store that cannot (a test's) says so.
     */
    default AutoCloseable subscribeAll(ProgressListener listener) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no subscription to every migration");
    }
}
