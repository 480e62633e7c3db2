package io.haul.api.backend;

import io.haul.api.HaulException;
import java.util.Optional;

/**
 * One migration of one container as its backend takes part in it on the source, from the first check to the
 * end. The engine calls, in order: {@link #check}; {@link #files} rounds while the container runs;
 * {@link #lockNetwork} just before the freeze; the dump (the engine's CRIU or the runtime's, by the session's
 * kind); then after the commit point {@link #committed}, or on a rollback, once the container runs again,
 * {@link #unlockNetwork} and {@link #rolledBack}; {@link #close} always. Any exception before the commit point
 * rolls the migration back.
 */
public sealed interface SourceSession extends AutoCloseable permits CriuSourceSession, RuntimeSourceSession {

    /**
     * Before anything freezes, the container running: looks at it again, refuses with a code and a message what
     * cannot move, and says what the destination needs.
     */
    SourcePlan check() throws HaulException;

    /** The container's own files, to send in rounds ahead of the freeze; empty when it has none to move. */
    default Optional<FileSync> files() throws HaulException {
        return Optional.empty();
    }

    /** Just before the freeze: hold the container's traffic, so that no packet is answered twice. */
    default void lockNetwork() throws HaulException {
    }

    /** After a rollback, the container running here again: let its traffic through. */
    default void unlockNetwork() {
    }

    /** After the commit point: the source copy is gone; drop what the runtime or the host kept of it. */
    default void committed() {
    }

    /** The migration rolled back and the container runs on here as it was. */
    default void rolledBack() {
    }

    /** Releases what the session holds; called once, whatever happened. */
    @Override
    default void close() {
    }
}
