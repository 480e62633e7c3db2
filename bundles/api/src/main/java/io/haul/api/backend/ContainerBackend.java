package io.haul.api.backend;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.backend.DumpPlan.ContainerManifest;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One kind of container (process tree, Docker, runc, LXC...). Registered as a service with the property
 * {@link #NAME}; the engine picks it by the backend part of a {@code backend:id} reference. A backend
 * that goes away during a migration fails that migration, which then rolls back.
 *
 * <p>Order of calls in a migration: source {@link #inspect}, {@link #planDump}; destination
 * {@link #planRestore}; after CRIU restored the tasks (still stopped) {@link #restored}; then either
 * the commit ({@link #sourceCommitted} on the source) or the rollback ({@link #restoreAbandoned} on the
 * destination, while CRIU resumes the source).
 *
 * <p>A backend whose runtime must take the checkpoint and do the restore itself (Docker, runc: their runtime
 * owns the tasks' parent, cgroups and mounts) returns them from {@link #checkpoint} and {@link #restore};
 * the default, empty, lets the engine run CRIU itself with the plans.
 */
@ConsumerType
public interface ContainerBackend {

    /** Service property: the backend's name, the part before ':' in a container reference. */
    String NAME = "haul.backend";

    Usability usability();

    /** The containers on this host, migratable or not (then with the reason). */
    List<ContainerInfo> list() throws HaulException;

    /** One container; {@code container.not-found} when there is none with that id. */
    ContainerInfo inspect(String id) throws HaulException;

    /** Source side, container still running: what CRIU must be told to dump it. */
    DumpPlan planDump(ContainerInfo container, Path imageDir) throws HaulException;

    /** Destination side, before restore: what CRIU must be told to restore it here. */
    RestorePlan planRestore(ContainerManifest manifest, Path imageDir) throws HaulException;

    /**
     * Destination side, before the source freezes anything: whether this host can take the container (its
     * image is here, its name is free...). Throws with a code and a message that names what is missing.
     */
    default void checkRestore(ContainerManifest manifest) throws HaulException {
    }

    /**
     * Source side, before pre-copy, the container running: a first copy of its own files (a writable layer,
     * volumes...) into {@code aheadDir}, sent to the destination before the freeze, so that {@link #checkpoint}
     * sends only what changed since. Whatever the backend must keep for that (not to be sent) goes into a
     * subfolder of {@code aheadDir}. Returns false when it has no such files.
     */
    default boolean filesAhead(ContainerInfo container, Path aheadDir) throws HaulException {
        return false;
    }

    /**
     * Source side, after pre-copy: dumps the container through its runtime into {@code imageDir} (CRIU's images
     * plus whatever files the destination needs, only what changed since {@link #filesAhead} wrote
     * {@code aheadDir} when it did) and returns once they are complete, the tasks held frozen. Empty: the engine
     * dumps with CRIU itself, with {@code plan}.
     */
    default Optional<HeldCheckpoint> checkpoint(ContainerInfo container, DumpPlan plan, Path imageDir, Path aheadDir)
            throws HaulException {
        return Optional.empty();
    }

    /**
     * Destination side: restores from the received {@code imageDir} (the files sent ahead are there too) through
     * the runtime, tasks held stopped.
     * Empty: the engine restores with CRIU itself, with {@code plan}, then calls {@link #restored}. The hold
     * must outlive this agent, named by {@code migrationId}: a restarted agent decides it from the record.
     */
    default Optional<HeldRestore> restore(String migrationId, RestorePlan plan, Path imageDir) throws HaulException {
        return Optional.empty();
    }

    /** Destination side: CRIU restored the tree (tasks stopped) with this root pid. */
    default void restored(RestorePlan plan, long rootPid) throws HaulException {
    }

    /** Source side, after the commit point: the source copy is gone; drop what the runtime kept of it. */
    default void sourceCommitted(ContainerInfo container) {
    }

    /** Destination side, on rollback: discard what {@link #planRestore} and {@link #restored} made. */
    default void restoreAbandoned(RestorePlan plan) {
    }
}
