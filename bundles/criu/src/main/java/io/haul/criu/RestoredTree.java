package io.haul.criu;

import io.haul.api.backend.HeldRestore;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A restored tree whose tasks are all stopped (state T: CRIU's {@code leave_stopped}), waiting for the commit
 * point. Its root is a child of the agent's JVM (CRIU restores it as its sibling), so the agent reaps it.
 */
@ProviderType
public interface RestoredTree extends HeldRestore {
}
