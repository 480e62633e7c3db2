package io.haul.api.backend;

import io.haul.api.HaulException;
import io.haul.api.criu.CriuOptions;
import org.osgi.annotation.versioning.ConsumerType;

/** A destination session whose container the engine restores with its own CRIU. */
@ConsumerType
public non-sealed interface CriuDestinationSession extends DestinationSession {

    /**
     * What CRIU must be told to restore the container here, beside what the namespace handlers contribute (this
     * session's root counts over theirs).
     */
    CriuOptions restoreOptions() throws HaulException;

    /** CRIU restored the tree, tasks stopped, with this root pid; the commit point decides next. */
    default void restored(long rootPid) throws HaulException {
    }
}
