package io.haul.api.strategy;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** What the engine gives a strategy for one migration. */
@ProviderType
public interface PreCopyContext {

    /** Host pid of the tree's root. */
    long rootPid();

    /** Host pids of every task of the tree now; the tree may change between rounds. */
    List<Long> pids();

    PageSink sink();

    /** True once the migration was cancelled or failed: stop the round early. */
    boolean cancelled();
}
