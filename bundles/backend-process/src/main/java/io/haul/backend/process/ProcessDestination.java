package io.haul.backend.process;

import io.haul.api.backend.CriuDestinationSession;
import io.haul.api.criu.CriuOptions;

/**
 * A process tree's migration on the destination: restored by the engine's CRIU into the host's file system and
 * namespaces; what its own namespaces need (the root for its own mount namespace) the namespace handlers say.
 */
final class ProcessDestination implements CriuDestinationSession {

    @Override
    public CriuOptions restoreOptions() {
        return CriuOptions.NONE;
    }
}
