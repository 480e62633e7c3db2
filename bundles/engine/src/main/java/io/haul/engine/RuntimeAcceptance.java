package io.haul.engine;

import io.haul.api.HaulException;
import io.haul.api.backend.ContainerInfo;
import io.haul.api.backend.MigrationFolders;
import io.haul.api.backend.RuntimeSourceSession;
import io.haul.api.backend.SourceSession;
import io.haul.api.criu.CriuOptions;
import io.haul.api.plugin.PluginDirectory;
import io.haul.api.plugin.PluginKind;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a container's runtime can apply what the namespace handlers contribute to CRIU's dump, asked as the
 * source's checks ask it ({@link RuntimeSourceSession#accept}), for listings: a Docker container with a nested mount
 * namespace needs CRIU's {@code mnt[]}, which Docker cannot pass, and {@code haul:ps} must say so as the checks do.
 * The session is opened only to ask: no check, no folder made (its folders name nothing that exists), closed at once.
 */
final class RuntimeAcceptance {

    private static final Path NOWHERE = Path.of("/nonexistent/haul-listing");

    private RuntimeAcceptance() {
    }

    /** The refusal as the checks would word it ("[check.runtime] ..."), or empty when the runtime accepts. */
    static Optional<String> refusal(PluginDirectory plugins, ContainerInfo container, CriuOptions dump) {
        if (dump.equals(CriuOptions.NONE)) {
            return Optional.empty();
        }
        var lease = plugins.lease(PluginKind.BACKEND, container.ref().backend());
        if (lease.isEmpty()) {
            return Optional.empty(); // gone meanwhile: the listing's word stands
        }
        try (var backend = lease.get()) {
            SourceSession session = backend.service().openSource(container,
                    new MigrationFolders("listing", NOWHERE, NOWHERE, NOWHERE));
            try {
                if (session instanceof RuntimeSourceSession runtime) {
                    runtime.accept(dump);
                }
                return Optional.empty();
            } finally {
                session.close();
            }
        } catch (HaulException e) {
            return Optional.of("[" + e.code() + "] " + e.getMessage());
        }
    }
}
