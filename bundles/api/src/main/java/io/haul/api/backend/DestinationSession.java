package io.haul.api.backend;

import io.haul.api.HaulException;
import java.nio.file.Path;
import java.util.List;

/**
 * One migration of one container as its backend takes part in it on the destination. The engine calls, in order:
 * {@link #check} before the source freezes anything; {@link #filesArrived} for each round of files sent ahead;
 * once every image arrived {@link #prepare} and
 * {@link #lockNetwork}; the restore (the engine's CRIU or the runtime's, by the session's kind), tasks held stopped;
 * then after the commit point {@link #unlockNetwork} and {@link #committed}, or on a rollback, the restored tasks
 * gone, {@link #unlockNetwork} and {@link #abandoned}; {@link #close} always.
 */
public sealed interface DestinationSession extends AutoCloseable
        permits CriuDestinationSession, RuntimeDestinationSession {

    /**
     * Before the source freezes anything: whether this host can take the container (its image is here, its name
     * is free...). Throws with a code and a message that names what is missing.
     */
    default void check() throws HaulException {
    }

    /**
     * While the container still runs on the source: one round of its own files sent ahead arrived ({@code files}, in
     * the images folder, where they stay). A session may unpack them now, so that the frozen window has only the last
     * round to unpack, into {@link MigrationFolders#filesAhead}: the engine removes that however the migration ends
     * (the agent killed and restarted included), and nothing else a session made before {@link #prepare} is undone.
     */
    default void filesArrived(List<Path> files) throws HaulException {
    }

    /**
     * The images and the files sent ahead are complete: makes what the restore needs (the container in the
     * runtime, its volumes, a bundle, its files unpacked).
     */
    default void prepare() throws HaulException {
    }

    /** Before the restore: hold the restored container's traffic until it runs. */
    default void lockNetwork() throws HaulException {
    }

    /** The restored copy runs (after the commit point), or was discarded: its traffic goes through again. */
    default void unlockNetwork() {
    }

    /** After the commit point: the restored copy runs here as {@code rootPid} (host pid). */
    default void committed(long rootPid) {
    }

    /** On rollback: discards what {@link #prepare} and the restore made; the restored tasks are gone already. */
    default void abandoned() {
    }

    /** Releases what the session holds; called once, whatever happened. */
    @Override
    default void close() {
    }
}
