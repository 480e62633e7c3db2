package io.haul.criu;

import io.haul.api.HaulException;
import java.nio.file.Path;
import java.time.Duration;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A dump whose images are complete while CRIU holds the tree frozen at post-dump. Exactly one of
 * {@link #commit()} and {@link #abort()} takes effect; {@link #close()} aborts unless committed. If the
 * agent dies, CRIU loses its RPC peer and resumes the tree: the source copy is never lost.
 */
@ProviderType
public interface FrozenDump extends AutoCloseable {

    Path imageDir();

    /** From the freeze to the images being written. */
    Duration frozenFor();

    /** After the commit point only: lets CRIU finish, which kills the dumped tree. */
    void commit() throws HaulException;

    /** Before the commit point: makes CRIU fail the dump, which resumes the tree. Idempotent. */
    void abort();

    @Override
    void close();
}
