package io.haul.api.backend;

import io.haul.api.HaulException;
import java.time.Duration;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A dump whose images are complete while the container's tasks are held frozen (at CRIU's post-dump), until
 * the commit point decides. Exactly one of {@link #commit()} and {@link #abort()} takes effect: commit lets the
 * dump finish, which kills the source tasks; abort resumes them as they were. Whoever holds the tasks must
 * also resume them when the agent holding this object dies: the source copy is never lost.
 */
@ConsumerType
public interface HeldCheckpoint extends AutoCloseable {

    /** From the freeze to the images being complete. */
    Duration frozenFor();

    /** After the commit point only: the dump finishes and the source tasks go away. */
    void commit() throws HaulException;

    /** Before the commit point: the source tasks run on as they were. Idempotent. */
    void abort();

    /** Aborts unless committed. */
    @Override
    void close();
}
