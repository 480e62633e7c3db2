package io.haul.api.backend;

import io.haul.api.HaulException;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/** A restored container whose tasks are all held stopped, waiting for the commit point. */
@ConsumerType
public interface HeldRestore {

    /** The host pid of the restored tree's root. */
    long rootPid();

    /** After the commit point: the restored tasks run. */
    void resume() throws HaulException;

    /** On rollback: the restored tasks go away, leaving nothing of them behind. Idempotent. */
    void kill();

    /**
     * The processes the held copy cannot do without until it runs (the CRIU that holds it mid-restore): should
     * one end before the verdict, the copy can no longer become the container, even if its tasks are still there.
     * Empty where the backend knows none.
     */
    default List<Long> holders() {
        return List.of();
    }
}
