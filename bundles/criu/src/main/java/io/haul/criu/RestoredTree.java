package io.haul.criu;

import io.haul.api.HaulException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A restored tree whose tasks are all stopped (state T: CRIU's {@code leave_stopped}), waiting for the commit
 * point. Its root is a child of the agent's JVM (CRIU restores it as its sibling), so the agent reaps it.
 */
@ProviderType
public interface RestoredTree {

    /** The host pid of the tree's root on this host. */
    long rootPid();

    /** After the commit point: lets every task of the tree run. */
    void resume() throws HaulException;

    /** On rollback: kills every task of the tree, leaving nothing of it behind. Idempotent. */
    void kill();
}
