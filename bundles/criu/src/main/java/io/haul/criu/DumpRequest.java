package io.haul.criu;

import io.haul.api.backend.DumpPlan;
import java.nio.file.Path;

/**
 * One dump.
 *
 * @param plan     what the backend said CRIU needs (root pid, externals, TCP, file locks...)
 * @param imageDir an empty folder the images are written to
 * @param logFile  where CRIU writes its log (kept; named in errors)
 */
public record DumpRequest(DumpPlan plan, Path imageDir, Path logFile) {
}
