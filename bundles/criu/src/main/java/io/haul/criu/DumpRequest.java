package io.haul.criu;

import io.haul.api.criu.CriuOptions;
import java.nio.file.Path;

/**
 * One dump.
 *
 * @param rootPid  the host pid of the tree's root
 * @param options  what the backend's session and the namespace handlers contributed (externals, TCP, locks...)
 * @param imageDir an empty folder the images are written to
 * @param logFile  where CRIU writes its log (kept; named in errors)
 */
public record DumpRequest(long rootPid, CriuOptions options, Path imageDir, Path logFile) {
}
