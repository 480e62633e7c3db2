package io.haul.api.namespace;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import java.nio.file.Path;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Knows how to move one kind of namespace. A container is migrated only when, for every namespace kind
 * it has of its own, a usable handler is registered on both agents. Registered as a service with the
 * property {@link #KIND} set to {@link NamespaceKind#procName()}.
 */
@ConsumerType
public interface NamespaceHandler {

    /** Service property: the namespace kind handled, as in {@code /proc/PID/ns/}. */
    String KIND = "haul.namespace";

    NamespaceKind kind();

    Usability usability();

    /** Source side, before anything is frozen: checks the namespace can be moved and records what the destination needs. */
    NamespaceState capture(long rootPid) throws HaulException;

    /** Destination side, before restore: makes ready what the restored tree will join, or says why it cannot. */
    void prepare(NamespaceState state, Path migrationDir) throws HaulException;

    /** Destination side, when the migration rolls back: undoes {@link #prepare}. */
    default void release(NamespaceState state, Path migrationDir) {
    }
}
