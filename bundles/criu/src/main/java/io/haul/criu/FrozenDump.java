package io.haul.criu;

import io.haul.api.backend.HeldCheckpoint;
import java.nio.file.Path;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A dump whose images are complete while CRIU holds the tree frozen at post-dump. Exactly one of
 * {@link #commit()} and {@link #abort()} takes effect; {@link #close()} aborts unless committed. If the
 * agent dies, CRIU loses its RPC peer and resumes the tree: the source copy is never lost.
 */
@ProviderType
public interface FrozenDump extends HeldCheckpoint {

    Path imageDir();
}
