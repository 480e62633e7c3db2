package io.haul.engine;

import io.haul.api.HaulException;
import io.haul.api.backend.DumpPlan.ContainerManifest;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespaceState;
import io.haul.criu.Criu;
import io.haul.protocol.v1.Prepare;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the destination checks before the source freezes anything (DESIGN.md phase 2): its backend, a CRIU
 * not older than the source's, a CPU the images can run on, a handler for each namespace the container
 * owns, and room for the images.
 */
final class DestinationChecks {

    /** Room kept free beyond the images, for logs and the file system's own needs. */
    static final long SPARE_BYTES = 64L << 20;

    private final Plugins plugins;
    private final Criu criu;

    DestinationChecks(Plugins plugins, Criu criu) {
        this.plugins = plugins;
        this.criu = criu;
    }

    /** Runs every check; returns the namespace states prepared here, to release on rollback. */
    List<NamespaceState> run(Prepare prepare, Workspace workspace) throws MigrationFailure {
        try (var backend = plugins.backend(prepare.getBackend()).orElseThrow(() -> new MigrationFailure(
                "check.backend", "the destination has no '" + prepare.getBackend() + "' backend"))) {
            if (!backend.service().usability().usable()) {
                throw new MigrationFailure("check.backend", "the destination's '" + prepare.getBackend()
                        + "' backend is not usable: " + backend.service().usability().reason());
            }
            backend.service().checkRestore(new ContainerManifest(prepare.getBackend(), prepare.getContainerId(),
                    prepare.getManifestFactsMap()));
        } catch (HaulException e) {
            throw MigrationFailure.of(e);
        }
        checkCriu(prepare.getSourceCriuVersion());
        checkCpu(prepare, workspace);
        checkRoom(prepare.getExpectedImageBytes(), workspace.root());
        return prepareNamespaces(prepare, workspace);
    }

    private void checkCriu(String sourceVersion) throws MigrationFailure {
        String mine;
        try {
            mine = criu.version();
        } catch (HaulException e) {
            throw MigrationFailure.of(e);
        }
        if (CriuVersions.compare(mine, sourceVersion) < 0) {
            throw new MigrationFailure("check.criu-version", "the destination's CRIU " + mine
                    + " is older than the source's " + sourceVersion + "; images of a newer CRIU may not restore");
        }
    }

    private void checkCpu(Prepare prepare, Workspace workspace) throws MigrationFailure {
        if (prepare.getCpuinfo().isEmpty()) {
            throw new MigrationFailure("check.cpu", "the source sent no CPU description");
        }
        Path dir = workspace.root().resolve("cpuinfo");
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve("cpuinfo.img"), prepare.getCpuinfo().toByteArray());
            criu.cpuinfoCheck(dir);
        } catch (HaulException e) {
            throw new MigrationFailure("check.cpu", "the source's CPU does not fit this host's: " + e.getMessage(),
                    e.logFile(), e);
        } catch (IOException e) {
            throw new MigrationFailure("check.cpu", "cannot keep the source's CPU description: " + e.getMessage());
        }
    }

    static void checkRoom(long expectedBytes, Path folder) throws MigrationFailure {
        long free = LocalCapabilities.freeBytes(folder);
        long needed = expectedBytes + expectedBytes / 10 + SPARE_BYTES;
        if (free < needed) {
            throw new MigrationFailure("check.room", "the destination has " + (free >> 20) + " MiB free in " + folder
                    + " but the images need about " + (needed >> 20) + " MiB");
        }
    }

    private List<NamespaceState> prepareNamespaces(Prepare prepare, Workspace workspace) throws MigrationFailure {
        List<NamespaceState> prepared = new ArrayList<>();
        for (var wire : prepare.getNamespacesList()) {
            if (!wire.getOwn()) {
                continue;
            }
            NamespaceState state = new NamespaceState(NamespaceKind.ofProcName(wire.getKind()), true, wire.getFactsMap());
            Optional<Plugins.Lease<NamespaceHandler>> handler = plugins.handler(wire.getKind());
            if (handler.isEmpty()) {
                release(prepared, workspace);
                throw new MigrationFailure("check.namespace", "the destination has no handler for "
                        + wire.getKind() + " namespaces, which the container has of its own");
            }
            try (var lease = handler.get()) {
                lease.service().prepare(state, workspace.root());
                prepared.add(state);
            } catch (HaulException e) {
                release(prepared, workspace);
                throw MigrationFailure.of(e);
            }
        }
        return prepared;
    }

    void release(List<NamespaceState> prepared, Workspace workspace) {
        for (NamespaceState state : prepared) {
            plugins.handler(state.kind().procName()).ifPresent(lease -> {
                try (lease) {
                    lease.service().release(state, workspace.root());
                }
            });
        }
    }
}
