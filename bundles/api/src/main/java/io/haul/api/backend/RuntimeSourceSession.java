package io.haul.api.backend;

import io.haul.api.HaulException;
import io.haul.api.criu.CriuOptions;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A source session whose container its runtime (Docker, runc) dumps, because the runtime owns the tasks' parent,
 * cgroups and mounts; Haul holds the runtime's CRIU at post-dump until the commit point.
 */
@ConsumerType
public non-sealed interface RuntimeSourceSession extends SourceSession {

    /**
     * In the checks, before anything freezes: whether the runtime can apply what the namespace handlers
     * contribute to the dump; throws naming the first contribution it cannot apply.
     */
    default void accept(CriuOptions contributions) throws HaulException {
        if (!contributions.equals(CriuOptions.NONE)) {
            throw new HaulException("check.runtime", "this container's runtime cannot pass these options to CRIU: "
                    + contributions);
        }
    }

    /**
     * Dumps the container through its runtime into the migration's images folder (CRIU's images, and with
     * {@link #files} the changes since its last round), and returns once they are complete, the tasks held frozen.
     */
    HeldCheckpoint checkpoint(CriuOptions contributions) throws HaulException;
}
