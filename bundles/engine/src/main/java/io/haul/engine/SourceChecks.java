package io.haul.engine;

import com.google.protobuf.ByteString;
import io.haul.api.HaulException;
import io.haul.api.backend.CriuSourceSession;
import io.haul.api.backend.RuntimeSourceSession;
import io.haul.api.backend.SourcePlan;
import io.haul.api.criu.CriuOptions;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespacePlan;
import io.haul.api.plugin.PluginKind;
import io.haul.api.plugin.PluginLease;
import io.haul.host.proc.Namespaces;
import io.haul.host.proc.OneKernelObjects;
import io.haul.host.proc.ProcessTree;
import io.haul.protocol.v1.Envelope;
import io.haul.protocol.v1.Prepare;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Phase 2 on the source, before anything freezes: the backend's session looks at the container again and says
 * what the destination needs; the namespace handlers plan the container's whole namespace tree; the
 * destination checks that it can take it (its backend, CRIU, CPU, namespaces, room) and answers.
 */
final class SourceChecks {

    /** What the checks found: the container as it is now, and what CRIU's dump must be told. */
    record Checked(SourcePlan plan, CriuOptions dumpOptions) {

        long rootPid() {
            return plan.container().rootPid();
        }
    }

    private final SourceScope source;
    private final Peer peer;

    SourceChecks(SourceScope source, Peer peer) {
        this.source = source;
        this.peer = peer;
    }

    Checked run() throws MigrationFailure, IOException {
        MigrationContext context = source.context();
        SourcePlan plan;
        try {
            plan = source.session().check();
        } catch (HaulException e) {
            throw MigrationFailure.of(e);
        }
        if (!plan.container().migratable()) {
            throw new MigrationFailure("container.not-migratable", plan.container().ref() + " cannot be migrated: "
                    + plan.container().whyNot());
        }
        NamespacePlanning.Plans namespaces = NamespacePlanning.plan(context.plugins(),
                Namespaces.system().treeOf(plan.container().rootPid()), plan.container().ref());
        checkOffers(namespaces.plans());
        CriuOptions dumpOptions = dumpOptions(namespaces.dump());
        OpenFileRefusals.beforeFreeze(ProcessTree.processes(plan.container().rootPid()), dumpOptions.externals());
        Prepare.Builder prepare = Prepare.newBuilder()
                .setBackend(plan.manifest().backend())
                .setContainerId(plan.manifest().id())
                .putAllManifestFacts(plan.manifest().facts())
                .setExpectedImageBytes(plan.container().rssBytes())
                .setSourceCriuVersion(criuVersion())
                .setCpuinfo(cpuinfo())
                .setSourceBootId(OneKernelObjects.bootId())
                .addAllOneKernelObjects(OneKernelObjects.of(ProcessTree.processes(plan.container().rootPid())));
        for (NamespacePlan namespace : namespaces.plans()) {
            prepare.addNamespaces(io.haul.protocol.v1.NamespaceState.newBuilder().setKind(namespace.kind().procName())
                    .setOwn(namespace.own()).putAllFacts(namespace.facts()));
        }
        Room.check(context.agentName(), plan.container().rssBytes(), source.workspace().root()); // the images are written here first
        peer.send(Envelope.newBuilder().setPrepare(prepare));
        Envelope prepared = peer.receive(Envelope.BodyCase.PREPARED, context.stepTimeout());
        if (!prepared.getPrepared().getOk()) {
            throw new MigrationFailure(prepared.getPrepared().getCode(), source.destination().name() + " refused: "
                    + prepared.getPrepared().getMessage());
        }
        return new Checked(plan, dumpOptions);
    }

    /** What the destination offered in the handshake, judged before it is asked to prepare (NamespaceOffers). */
    private void checkOffers(List<NamespacePlan> plans) throws MigrationFailure {
        List<PluginLease<NamespaceHandler>> leases = new ArrayList<>();
        try {
            NamespaceOffers.check(plans, peer.capabilities(), source.destination().name(), kind -> source.context()
                    .plugins().lease(PluginKind.HANDLER, kind.procName()).map(lease -> {
                        leases.add(lease);
                        return lease.service();
                    }));
        } finally {
            leases.forEach(PluginLease::close);
        }
    }

    /**
     * The session's options and the handlers' together, for the engine's CRIU; a runtime that dumps the
     * container itself is given the handlers' and must say now whether it can apply them.
     */
    private CriuOptions dumpOptions(CriuOptions fromHandlers) throws MigrationFailure {
        try {
            return switch (source.session()) {
                case CriuSourceSession criu -> criu.dumpOptions().merge(fromHandlers);
                case RuntimeSourceSession runtime -> {
                    runtime.accept(fromHandlers);
                    yield fromHandlers;
                }
            };
        } catch (HaulException e) {
            throw MigrationFailure.of(e);
        } catch (IllegalArgumentException e) {
            throw new MigrationFailure("check.criu-options", "the backend's and the namespace handlers' options to "
                    + "CRIU disagree: " + e.getMessage());
        }
    }

    private String criuVersion() throws MigrationFailure {
        try {
            return source.context().criu().version();
        } catch (HaulException e) {
            throw MigrationFailure.of(e);
        }
    }

    private ByteString cpuinfo() throws MigrationFailure {
        Path dir = source.workspace().root().resolve("cpuinfo");
        try {
            Files.createDirectories(dir);
            source.context().criu().cpuinfoDump(dir);
            return ByteString.copyFrom(Files.readAllBytes(dir.resolve("cpuinfo.img")));
        } catch (HaulException e) {
            throw MigrationFailure.of(e);
        } catch (IOException e) {
            throw new MigrationFailure("criu.cpuinfo", "cannot read this host's CPU description: " + e.getMessage());
        }
    }
}
