package io.haul.api.backend;

import io.haul.api.HaulException;
import io.haul.api.criu.CriuOptions;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A destination session whose container its runtime restores, Haul holding the runtime's CRIU at post-restore
 * until the commit point. The hold must outlive this agent, named by the migration's id: a restarted agent
 * decides it from the record.
 */
@ConsumerType
public non-sealed interface RuntimeDestinationSession extends DestinationSession {

    /**
     * In the checks, before the source freezes anything: whether the runtime can apply what the namespace handlers
     * contribute to the restore; throws naming the first contribution it cannot apply.
     */
    default void accept(CriuOptions contributions) throws HaulException {
        if (!contributions.equals(CriuOptions.NONE)) {
            throw new HaulException("check.runtime", "this container's runtime cannot pass these options to CRIU: "
                    + contributions);
        }
    }

    /** Restores the container through its runtime from the images, its tasks held stopped. */
    HeldRestore restore(CriuOptions contributions) throws HaulException;
}
