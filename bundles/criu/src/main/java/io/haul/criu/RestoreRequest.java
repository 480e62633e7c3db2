package io.haul.criu;

import io.haul.api.backend.RestorePlan;
import java.nio.file.Path;

/**
 * One restore.
 *
 * @param plan     what the backend said CRIU needs on this host
 * @param imageDir the images, complete and checked
 * @param logFile  where CRIU writes its log (kept; named in errors)
 */
public record RestoreRequest(RestorePlan plan, Path imageDir, Path logFile) {
}
