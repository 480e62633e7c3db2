package io.haul.criu;

import io.haul.api.backend.RestorePlan;
import java.nio.file.Path;

/**
 * One restore.
 *
 * @param plan      what the backend said CRIU needs on this host
 * @param imageDir  the images, complete and checked
 * @param logFile   where CRIU writes its log (kept; named in errors)
 * @param lazyPages restore memory lazily (userfaultfd): the tasks get their pages from CRIU's lazy-pages daemon
 *                  when they touch them and in the background, so copying memory leaves the frozen window
 */
public record RestoreRequest(RestorePlan plan, Path imageDir, Path logFile, boolean lazyPages) {

    /** A restore that copies all memory before the tasks can run. */
    public RestoreRequest(RestorePlan plan, Path imageDir, Path logFile) {
        this(plan, imageDir, logFile, false);
    }
}
