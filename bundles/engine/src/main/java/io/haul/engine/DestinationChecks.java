package io.haul.engine;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.backend.ContainerBackend;
import io.haul.api.backend.ContainerManifest;
import io.haul.api.backend.DestinationSession;
import io.haul.api.backend.RuntimeDestinationSession;
import io.haul.api.criu.CriuOptions;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespacePlan;
import io.haul.api.plugin.PluginKind;
import io.haul.api.plugin.PluginLease;
import io.haul.host.proc.OneKernelObjects;
import io.haul.protocol.v1.Prepare;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Phase 2 on the destination, before the source freezes anything: its backend is here and usable and its session
 * can take the container, CRIU is not older than the source's, the CPU can run the images, each namespace kind
 * the container owns has a handler here that prepares what the restored tree will join, and there is room for the
 * images. What it makes is undone or released through the migration's {@link Rollback}.
 */
final class DestinationChecks {

    /** What the checks accepted: the backend (leased for the whole migration), its session, and CRIU's options. */
    /**
     * What the checks accepted: the backend's session, the handlers' contributions to CRIU's restore, and the
     * handlers with their plans, to be told once the container runs here.
     */
    record Accepted(PluginLease<ContainerBackend> backend, DestinationSession session, CriuOptions fromHandlers,
            List<PreparedNamespace> namespaces) {
    }

    /** A namespace kind its handler prepared here. */
    record PreparedNamespace(NamespaceHandler handler, NamespacePlan plan) {
    }

    private final MigrationContext context;
    private final Workspace workspace;
    private final Rollback rollback;

    DestinationChecks(MigrationContext context, Workspace workspace, Rollback rollback) {
        this.context = context;
        this.workspace = workspace;
        this.rollback = rollback;
    }

    Accepted run(Prepare prepare) throws MigrationFailure {
        PluginLease<ContainerBackend> backend = rollback.release(context.plugins()
                .lease(PluginKind.BACKEND, prepare.getBackend()).orElseThrow(() -> new MigrationFailure(
                        "check.backend", "the destination has no '" + prepare.getBackend() + "' backend")));
        if (!backend.service().usability().usable()) {
            throw new MigrationFailure("check.backend", "the destination's '" + prepare.getBackend()
                    + "' backend is not usable: " + backend.service().usability().reason());
        }
        DestinationSession session;
        try {
            session = rollback.release(backend.service().openDestination(new ContainerManifest(prepare.getBackend(),
                    prepare.getContainerId(), prepare.getManifestFactsMap()), workspace.folders()));
            session.check();
        } catch (HaulException e) {
            throw MigrationFailure.of(e);
        }
        checkCriu(prepare.getSourceCriuVersion());
        checkCpu(prepare);
        checkOneKernel(prepare);
        Room.check("the destination", prepare.getExpectedImageBytes(), workspace.root());
        List<PreparedNamespace> namespaces = new ArrayList<>();
        CriuOptions fromHandlers = prepareNamespaces(prepare, namespaces, session instanceof RuntimeDestinationSession);
        if (session instanceof RuntimeDestinationSession runtime) {
            try {
                runtime.accept(fromHandlers.withoutRoot()); // a runtime restores into the root it manages
            } catch (HaulException e) {
                throw MigrationFailure.of(e);
            }
        }
        return new Accepted(backend, session, fromHandlers, List.copyOf(namespaces));
    }

    private void checkCriu(String sourceVersion) throws MigrationFailure {
        String mine;
        try {
            mine = context.criu().version();
        } catch (HaulException e) {
            throw MigrationFailure.of(e);
        }
        if (CriuVersions.compare(mine, sourceVersion) < 0) {
            throw new MigrationFailure("check.criu-version", "the destination's CRIU " + mine
                    + " is older than the source's " + sourceVersion + "; images of a newer CRIU may not restore");
        }
        Usability hold = context.criu().restoreHold();
        if (!hold.usable()) {
            throw new MigrationFailure("check.hold-hook", "the destination cannot hold a restore until the commit "
                    + "point: " + hold.reason());
        }
    }

    /** On the source's own kernel, what the frozen source still holds would meet the copy (OneKernelObjects). */
    private void checkOneKernel(Prepare prepare) throws MigrationFailure {
        if (prepare.getOneKernelObjectsCount() == 0 || !prepare.getSourceBootId().equals(OneKernelObjects.bootId())) {
            return;
        }
        throw new MigrationFailure("check.one-kernel", "the source and the destination run on one kernel, where the "
                + "copy would meet what the frozen source still holds: "
                + String.join("; ", prepare.getOneKernelObjectsList())
                + " (between two machines these move; here, close or unlock them first)");
    }

    private void checkCpu(Prepare prepare) throws MigrationFailure {
        if (prepare.getCpuinfo().isEmpty()) {
            throw new MigrationFailure("check.cpu", "the source sent no CPU description");
        }
        Path dir = workspace.root().resolve("cpuinfo");
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve("cpuinfo.img"), prepare.getCpuinfo().toByteArray());
            context.criu().cpuinfoCheck(dir);
        } catch (HaulException e) {
            throw new MigrationFailure("check.cpu", "the source's CPU does not fit this host's: " + e.getMessage(),
                    e.logFile(), e);
        } catch (IOException e) {
            throw new MigrationFailure("check.cpu", "cannot keep the source's CPU description: " + e.getMessage());
        }
    }

    /**
     * Each namespace kind the container owns, prepared by its handler here, released when the migration ends
     * either way; returns what the handlers contribute to CRIU's restore.
     */
    private CriuOptions prepareNamespaces(Prepare prepare, List<PreparedNamespace> prepared, boolean runtimeRestores)
            throws MigrationFailure {
        CriuOptions options = CriuOptions.NONE;
        for (var wire : prepare.getNamespacesList()) {
            if (!wire.getOwn()) {
                continue;
            }
            NamespaceKind kind;
            try {
                kind = NamespaceKind.ofProcName(wire.getKind());
            } catch (IllegalArgumentException e) {
                throw new MigrationFailure("check.namespace", "the source sent a namespace kind this agent does not"
                        + " know: " + wire.getKind());
            }
            NamespacePlan received = new NamespacePlan(kind, true, wire.getFactsMap(), CriuOptions.NONE);
            // a runtime restores into the root it makes itself, not into the source's path
            NamespacePlan plan = runtimeRestores ? received.withoutFact(NamespacePlan.FACT_OWN_ROOT) : received;
            PluginLease<NamespaceHandler> handler = rollback.release(context.plugins()
                    .lease(PluginKind.HANDLER, kind.procName()).orElseThrow(() -> new MigrationFailure(
                            "check.namespace", "the destination has no handler for " + wire.getKind()
                            + " namespaces, which the container has of its own")));
            try {
                options = options.merge(handler.service().prepare(plan, workspace.root()));
            } catch (HaulException e) {
                throw MigrationFailure.of(e);
            } catch (IllegalArgumentException e) {
                throw new MigrationFailure("check.namespace", "the namespace handlers disagree: " + e.getMessage());
            }
            rollback.release(() -> handler.service().release(plan, workspace.root()));
            prepared.add(new PreparedNamespace(handler.service(), plan));
        }
        return options;
    }
}
