package io.haul.api.strategy;

import io.haul.api.HaulException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One migration's pre-copy, run round by round by the engine while the container keeps running. The
 * engine's convergence policy decides after each round whether to run another or to freeze.
 */
@ConsumerType
public interface PreCopy extends AutoCloseable {

    /** Runs one round: reads what changed since the last and offers it to the sink. */
    RoundStats round() throws HaulException;

    /** Releases what the strategy holds (trackers, pipes); called once, whatever happened. */
    @Override
    void close();
}
