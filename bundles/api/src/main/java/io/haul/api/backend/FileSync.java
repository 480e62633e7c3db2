package io.haul.api.backend;

import io.haul.api.HaulException;
import java.nio.file.Path;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A container's own files (a writable layer, volumes, a root file system) sent while it runs, in rounds, so that
 * the frozen window carries only what changed since the last round. The files a round writes travel as they
 * are; the destination's session finds all rounds, in order, and the last one, among its images.
 */
@ConsumerType
public interface FileSync {

    /**
     * One round while the container runs: writes into {@code into} what changed since the previous round
     * (everything the first time) and returns how many bytes that is, so the engine can tell when rounds stop
     * paying. File names must be unique across rounds.
     */
    long round(int round, Path into) throws HaulException;

    /** In the frozen window: what changed since the last round, into {@code images}. */
    void last(Path images) throws HaulException;
}
