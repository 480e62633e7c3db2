package io.haul.engine;

import com.google.protobuf.ByteString;
import io.haul.api.HaulException;
import io.haul.api.backend.ContainerBackend;
import io.haul.api.backend.ContainerInfo;
import io.haul.api.backend.DumpPlan;
import io.haul.api.backend.HeldCheckpoint;
import io.haul.api.migration.ConvergencePolicy;
import io.haul.api.migration.MigrationError;
import io.haul.api.migration.MigrationStatistics;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.Phase;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespaceState;
import io.haul.api.strategy.PageSink;
import io.haul.api.strategy.PreCopy;
import io.haul.api.strategy.PreCopyContext;
import io.haul.api.strategy.PreDumpStrategy;
import io.haul.api.strategy.RoundStats;
import io.haul.api.transport.Transport;
import io.haul.cluster.AgentInfo;
import io.haul.cluster.ContainerLock;
import io.haul.criu.DumpRequest;
import io.haul.host.proc.ProcessTree;
import io.haul.protocol.ImageStream;
import io.haul.protocol.ProtocolException;
import io.haul.protocol.TransferProgress;
import io.haul.protocol.Versions;
import io.haul.protocol.v1.Commit;
import io.haul.protocol.v1.Envelope;
import io.haul.protocol.v1.Hello;
import io.haul.protocol.v1.ImageFile;
import io.haul.protocol.v1.ImagesSent;
import io.haul.protocol.v1.Prepare;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source side of one migration, phase by phase (DESIGN.md section 2). Until the record reaches the
 * commit point any failure rolls back: CRIU resumes the frozen tree and the destination discards what it
 * restored. From the commit point on the destination is the container.
 */
final class SourceMigration implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(SourceMigration.class);
    private static final long PROGRESS_STEP_BYTES = 16L << 20;
    /** Page images CRIU may write beside one per process: shared memory areas. */
    private static final int SHARED_MEMORY_PAGE_IMAGES = 4;
    /** How often a transfer asks the cluster whether a user cancelled it. */
    private static final long CANCEL_CHECK_NANOS = 250_000_000L;

    private final MigrationContext context;
    private final RecordKeeper record;
    private final ContainerInfo container;
    private final AgentInfo destination;
    private final String strategyName;
    private final String transportName;
    private final ConvergencePolicy policy;
    private final ContainerLock lock;
    private final Workspace workspace;
    private final Clock clock;

    private HeldCheckpoint frozen;
    private RecipePageImages pageImages;
    private PageImageCapture capture;
    private Instant frozenAt;
    private boolean committed;
    private CountingOutputStream wire;
    private PushingPageSink pages;

    SourceMigration(MigrationContext context, RecordKeeper record, ContainerInfo container, AgentInfo destination,
            String strategyName, String transportName, ConvergencePolicy policy, ContainerLock lock) {
        this.context = context;
        this.record = record;
        this.container = container;
        this.destination = destination;
        this.strategyName = strategyName;
        this.transportName = transportName;
        this.policy = policy;
        this.lock = lock;
        this.workspace = new Workspace(context.migrationsDir(), record.current().id());
        this.clock = context.clock();
    }

    @Override
    public void run() {
        String id = record.current().id();
        Peer peer = null;
        try (lock) {
            workspace.create();
            record.enter(Phase.HANDSHAKE, "connecting to " + destination.name() + " at " + destination.address());
            peer = handshake();
            record.enter(Phase.CHECKS, "checking that " + destination.name() + " can take " + container.ref());
            DumpPlan plan = checks(peer);
            record.enter(Phase.FILESYSTEM, "files: the container's own files, ahead of the freeze");
            wire = new CountingOutputStream(peer.connection().bulkOut());
            sendFilesAhead(peer);
            preCopy(peer);
            record.enter(Phase.FINAL_DUMP, "freezing and dumping " + container.ref());
            dump(plan);
            record.enter(Phase.TRANSFER, "sending the images to " + destination.name());
            transfer(peer);
            record.enter(Phase.RESTORE, "restoring on " + destination.name());
            long newRootPid = awaitRestore(peer);
            commit(peer, newRootPid);
        } catch (MigrationFailure failure) {
            fail(peer, failure);
        } catch (ProtocolException e) {
            fail(peer, new MigrationFailure(e.code(), e.getMessage(), null, e));
        } catch (IOException e) {
            fail(peer, new MigrationFailure("transport.lost", "the connection to " + destination.name()
                    + " failed: " + e.getMessage(), null, e));
        } catch (RuntimeException e) {
            LOG.error("migration {} failed unexpectedly", id, e);
            fail(peer, new MigrationFailure("internal", "unexpected failure: " + e, null, e));
        } finally {
            if (frozen != null && !committed) {
                frozen.abort(); // never leave the source frozen
            }
            if (peer != null) {
                peer.close();
            }
            if (capture != null) {
                capture.close();
            }
            workspace.dropImages();
        }
    }

    private Peer handshake() throws MigrationFailure, IOException {
        InetSocketAddress address = Addresses.parse(destination.address());
        Peer peer;
        try (var transport = context.plugins().transport(transportName).orElseThrow(() -> new MigrationFailure(
                "check.transport", "no transport named '" + transportName + "' on this agent"))) {
            Transport service = transport.service();
            peer = new Peer(service.connect(address, destination.name()), record.current().id());
        } catch (HaulException e) {
            throw MigrationFailure.of(e);
        }
        peer.send(Envelope.newBuilder().setHello(Hello.newBuilder().setMinVersion(Versions.MIN)
                .setMaxVersion(Versions.MAX).setAgent(context.agentName())
                .setCapabilities(context.capabilities().now())));
        Envelope reply = peer.receive(Envelope.BodyCase.HELLO_REPLY, context.stepTimeout());
        int version = reply.getHelloReply().getVersion();
        if (version < Versions.MIN || version > Versions.MAX) {
            throw new MigrationFailure("protocol.version", destination.name() + " chose protocol version " + version
                    + ", which this agent does not speak");
        }
        peer.agreeOn(version);
        return peer;
    }

    private DumpPlan checks(Peer peer) throws MigrationFailure, IOException {
        ContainerInfo fresh;
        DumpPlan plan;
        try (var backend = backend()) {
            fresh = backend.service().inspect(container.ref().id());
            if (!fresh.migratable()) {
                throw new MigrationFailure("container.not-migratable", container.ref() + " cannot be migrated: "
                        + fresh.whyNot());
            }
            plan = backend.service().planDump(fresh, workspace.images());
        } catch (HaulException e) {
            throw MigrationFailure.of(e);
        }
        Prepare.Builder prepare = Prepare.newBuilder()
                .setBackend(container.ref().backend())
                .setContainerId(container.ref().id())
                .putAllManifestFacts(plan.manifest().facts())
                .setExpectedImageBytes(fresh.rssBytes())
                .setSourceCriuVersion(criuVersion())
                .setCpuinfo(cpuinfo());
        for (NamespaceState state : captureNamespaces(fresh)) {
            prepare.addNamespaces(io.haul.protocol.v1.NamespaceState.newBuilder().setKind(state.kind().procName())
                    .setOwn(state.own()).putAllFacts(state.facts()));
        }
        DestinationChecks.checkRoom(fresh.rssBytes(), workspace.root()); // the images are written here first
        peer.send(Envelope.newBuilder().setPrepare(prepare));
        Envelope prepared = peer.receive(Envelope.BodyCase.PREPARED, context.stepTimeout());
        if (!prepared.getPrepared().getOk()) {
            throw new MigrationFailure(prepared.getPrepared().getCode(), destination.name() + " refused: "
                    + prepared.getPrepared().getMessage());
        }
        return plan;
    }

    private List<NamespaceState> captureNamespaces(ContainerInfo info) throws MigrationFailure {
        List<NamespaceState> states = new ArrayList<>();
        for (NamespaceKind kind : info.ownNamespaces()) {
            try (var handler = context.plugins().handler(kind.procName()).orElseThrow(() -> new MigrationFailure(
                    "check.namespace", container.ref() + " has its own " + kind.procName()
                    + " namespace and no handler for those is registered here"))) {
                NamespaceHandler service = handler.service();
                if (!service.usability().usable()) {
                    throw new MigrationFailure("check.namespace", "the " + kind.procName()
                            + " namespace handler is not usable here: " + service.usability().reason());
                }
                states.add(service.capture(container.rootPid()));
            } catch (HaulException e) {
                throw MigrationFailure.of(e);
            }
        }
        return states;
    }

    /**
     * The backend's first copy of the container's own files, while it runs (protocol 2 on: the bulk stream opens
     * with them, an empty image stream when there are none); the final dump then carries only what changed.
     */
    private void sendFilesAhead(Peer peer) throws MigrationFailure, IOException {
        if (peer.version() < Versions.FILES_AHEAD) {
            record.progress("files: " + destination.name() + " takes no files ahead of the freeze (an older agent)",
                    -1, -1, 0);
            return;
        }
        List<String> names;
        try (var backend = backend()) {
            Files.createDirectories(workspace.ahead());
            boolean any = backend.service().filesAhead(container, workspace.ahead());
            names = any ? Workspace.fileNames(workspace.ahead()) : List.of();
        } catch (HaulException e) {
            throw MigrationFailure.of(e);
        }
        long total = Workspace.bytes(workspace.ahead(), names);
        long before = wire.count();
        try (Watchdog watchdog = new Watchdog(clock, context.stepTimeout(), peer::close)) {
            OutputStream watched = new WatchedOutputStream(wire, watchdog::moved);
            ImageStream.send(workspace.ahead(), names, watched, progressEvery("sending files ahead", total));
            watched.flush();
        } catch (IOException e) {
            throw new MigrationFailure("transport.lost", "sending files ahead to " + destination.name() + " failed: "
                    + e.getMessage(), null, e);
        }
        record.progress(names.isEmpty() ? "files: nothing to copy ahead of the freeze" : "files: "
                + Sizes.bytes(total) + " in " + names.size() + " file(s) sent ahead of the freeze ("
                + Sizes.bytes(wire.count() - before) + " on the wire)", -1, -1, 0);
    }

    /** Progress of a stream of {@code total} bytes, reported each {@link #PROGRESS_STEP_BYTES} and at its end. */
    private TransferProgress progressEvery(String what, long total) {
        Instant start = clock.instant();
        long[] nextReport = {0};
        return done -> {
            if (done >= nextReport[0] || done == total) {
                nextReport[0] = done + PROGRESS_STEP_BYTES;
                double seconds = Math.max(1e-3, Duration.between(start, clock.instant()).toNanos() / 1e9);
                record.progress(what, done, total, done / seconds);
            }
        };
    }

    /** Runs the strategy's rounds while the tree keeps running, until the policy says freeze. */
    private void preCopy(Peer peer) throws MigrationFailure, IOException {
        pages = new PushingPageSink(wire);
        try {
            runRounds();
        } finally {
            pages.end(); // the destination stops filling its store and waits for the images
        }
    }

    private void runRounds() throws MigrationFailure {
        try (var strategy = chooseStrategy()) {
            PreDumpStrategy service = strategy.service();
            record.enter(Phase.PRECOPY, "pre-copy with the '" + strategy.name() + "' strategy");
            try (PreCopy preCopy = service.start(new SourceContext())) {
                Convergence convergence = new Convergence(policy);
                Convergence.Verdict verdict = Convergence.Verdict.CONTINUE;
                while (verdict == Convergence.Verdict.CONTINUE) {
                    checkCancel();
                    RoundStats stats = preCopy.round();
                    verdict = convergence.after(stats);
                    if (verdict == Convergence.Verdict.NOTHING_TO_COPY) {
                        break;
                    }
                    record.round(stats);
                    record.progress("round " + stats.round() + ": " + stats.pagesScanned() + " pages scanned, "
                            + stats.pagesChanged() + " changed, " + stats.pagesSent() + " sent ("
                            + Sizes.bytes(stats.bytesSent()) + ") in " + stats.duration().toMillis()
                            + " ms, predicted downtime " + stats.predictedDowntime().toMillis() + " ms"
                            + (verdict == Convergence.Verdict.CONTINUE ? "" : "; freezing: " + verdict.reason()),
                            -1, -1, 0);
                }
            }
        } catch (HaulException e) {
            throw MigrationFailure.of(e);
        }
    }

    /**
     * The first strategy of the preference list (a request's, or the configured one) that is registered and
     * usable here; a single name that is not is an error that says why.
     */
    private NamedLease<PreDumpStrategy> chooseStrategy() throws MigrationFailure {
        List<String> names = List.of(strategyName.split("\\s*,\\s*"));
        List<String> why = new ArrayList<>();
        for (String name : names) {
            var lease = context.plugins().strategy(name);
            if (lease.isEmpty()) {
                why.add("no strategy named '" + name + "' here");
                continue;
            }
            if (lease.get().service().usability().usable()) {
                return new NamedLease<>(name, lease.get());
            }
            why.add("'" + name + "' is not usable here: " + lease.get().service().usability().reason());
            lease.get().close();
        }
        throw new MigrationFailure("check.strategy", String.join("; ", why));
    }

    /** A plugin in use together with the name it was chosen by. */
    private record NamedLease<T>(String name, Plugins.Lease<T> lease) implements AutoCloseable {

        T service() {
            return lease.service();
        }

        @Override
        public void close() {
            lease.close();
        }
    }

    private void dump(DumpPlan plan) throws MigrationFailure {
        checkCancel();
        pageImages = RecipePageImages.sending(pages::destinationHas);
        // if this agent dies between the commit point and CRIU killing the tree, CRIU resumes it: recovery
        // then finds and kills this very tree, the destination being the container
        SourceTree.of(plan.rootPid()).ifPresent(tree -> rememberQuietly("source.root", tree.remembered()));
        frozenAt = clock.instant();
        try (var backend = backend()) {
            // a runtime that owns the tasks (Docker, runc) dumps them itself; otherwise CRIU does, with the plan
            frozen = backend.service().checkpoint(container, plan, workspace.images(), workspace.ahead()).orElse(null);
            if (frozen == null) {
                frozen = dumpCapturingPages(plan);
            }
        } catch (HaulException e) {
            throw MigrationFailure.of(e);
        }
        long imageBytes;
        try {
            imageBytes = workspace.imageBytes();
        } catch (IOException e) {
            throw new MigrationFailure("criu.dump-failed", "cannot read the images CRIU wrote: " + e.getMessage());
        }
        record.statistics(s -> new MigrationStatistics(s.phaseDurations(), s.frozen(), s.bytesOnWire(), imageBytes,
                s.rounds(), s.newRootPid()));
        record.progress("frozen; " + Sizes.bytes(imageBytes) + " of images in " + frozen.frozenFor().toMillis() + " ms",
                -1, -1, 0);
    }

    /**
     * Haul's own CRIU dump, its page images taken through FIFOs as CRIU writes them when so configured
     * ({@link PageImageCapture}): one for each process of the tree, a few more for shared memory.
     */
    private HeldCheckpoint dumpCapturingPages(DumpPlan plan) throws HaulException, MigrationFailure {
        DumpRequest request = new DumpRequest(plan, workspace.images(), workspace.log("dump"));
        if (!context.capturePageImages()) {
            return context.criu().dump(request);
        }
        int count = ProcessTree.processes(plan.rootPid()).size() + SHARED_MEMORY_PAGE_IMAGES;
        try {
            capture = PageImageCapture.start(workspace.images(), workspace.recipes(), count,
                    (source, out) -> pageImages.capture(source, out));
        } catch (IOException e) {
            throw new MigrationFailure("criu.dump-failed", "cannot prepare to take the page images: " + e.getMessage());
        }
        HeldCheckpoint held;
        try {
            held = context.criu().dump(request);
        } catch (HaulException e) {
            capture.close();
            capture = null;
            throw e;
        }
        try {
            capture.finish();
        } catch (IOException e) {
            held.abort();
            throw new MigrationFailure("criu.dump-failed", "taking the page images as CRIU wrote them failed: "
                    + e.getMessage(), null, e);
        }
        pageImages.captured(capture);
        return held;
    }

    private void transfer(Peer peer) throws MigrationFailure, IOException {
        List<String> names = workspace.imageNames();
        long total = workspace.imageBytes();
        List<ImageFile> sent;
        long before = wire.count();
        long[] lastCancelCheck = {System.nanoTime()};
        try (Watchdog watchdog = new Watchdog(clock, context.stepTimeout(), peer::close)) {
            OutputStream watched = new WatchedOutputStream(wire, () -> {
                watchdog.moved();
                if (System.nanoTime() - lastCancelCheck[0] > CANCEL_CHECK_NANOS) {
                    lastCancelCheck[0] = System.nanoTime();
                    if (context.store().cancelRequested(record.current().id())) {
                        throw new CancelledTransfer();
                    }
                }
            });
            try {
                sent = ImageStream.send(workspace.images(), names, watched, progressEvery("sending images", total),
                        pageImages);
                watched.flush();
                peer.connection().bulkOut().close(); // ends the bulk stream cleanly for the destination
            } catch (IOException e) {
                if (watchdog.fired()) {
                    throw new MigrationFailure("transport.stalled", "the transfer to " + destination.name()
                            + " moved no byte for " + context.stepTimeout().toSeconds() + " s (link down?)");
                }
                throw e;
            }
        } catch (CancelledTransfer e) {
            throw cancelled();
        }
        peer.send(Envelope.newBuilder().setImagesSent(ImagesSent.newBuilder().addAllFiles(sent).setTotalBytes(total)));
        long imagesOnWire = wire.count() - before;
        record.statistics(s -> new MigrationStatistics(s.phaseDurations(), s.frozen(), s.bytesOnWire() + imagesOnWire,
                s.imageBytes(), s.rounds(), s.newRootPid()));
        record.progress("images sent: " + Sizes.bytes(imagesOnWire) + " on the wire for " + Sizes.bytes(total)
                + " of images", -1, -1, 0);
    }

    private long awaitRestore(Peer peer) throws MigrationFailure, IOException {
        // the destination beats while CRIU restores: a link that goes down is noticed within the step timeout,
        // not after the whole restore timeout with the source frozen
        Envelope restored = peer.receiveAcrossHeartbeats(Envelope.BodyCase.RESTORED, context.stepTimeout(),
                context.restoreTimeout());
        long pid = restored.getRestored().getRootPid();
        record.statistics(s -> new MigrationStatistics(s.phaseDurations(), s.frozen(), s.bytesOnWire(),
                s.imageBytes(), s.rounds(), pid));
        return pid;
    }

    private void commit(Peer peer, long newRootPid) throws MigrationFailure {
        checkCancel();
        if (!record.commitPoint()) {
            throw new MigrationFailure("commit.refused", destination.name()
                    + " rolled the migration back before the commit point (it lost this agent)");
        }
        committed = true;
        try {
            frozen.commit(); // CRIU kills the source tree now
        } catch (HaulException e) {
            LOG.error("migration {}: CRIU did not finish the dump after the commit point; the source tree {} may "
                    + "still exist: {}", record.current().id(), container.rootPid(), e.getMessage());
        }
        context.plugins().backend(container.ref().backend()).ifPresent(backend -> {
            try (backend) {
                backend.service().sourceCommitted(container); // e.g. the runtime forgets the stopped container
            } catch (RuntimeException e) {
                LOG.warn("migration {}: the backend could not clean up after the source: {}", record.current().id(), e.toString());
            }
        });
        boolean confirmed = false;
        try {
            peer.send(Envelope.newBuilder().setCommit(Commit.getDefaultInstance()));
            peer.receive(Envelope.BodyCase.COMMITTED, context.stepTimeout());
            confirmed = true;
        } catch (IOException e) {
            LOG.warn("migration {}: {} did not confirm the commit ({}); it resumes the tree from the record",
                    record.current().id(), destination.name(), e.getMessage());
        }
        Duration frozenFor = Duration.between(frozenAt, clock.instant());
        record.statistics(s -> new MigrationStatistics(s.phaseDurations(), frozenFor, s.bytesOnWire(), s.imageBytes(),
                s.rounds(), s.newRootPid()));
        record.enter(Phase.CLEANUP, "cleaning up");
        record.finish(Outcome.SUCCEEDED, null, (confirmed ? "done: " : "done (unconfirmed): ") + container.ref()
                + " runs on " + destination.name() + " as pid " + newRootPid + ", frozen for " + frozenFor.toMillis() + " ms");
    }

    private void fail(Peer peer, MigrationFailure failure) {
        Phase phase = record.current().phase();
        boolean cancelled = failure.code().equals("cancelled");
        if (committed) {
            LOG.error("migration {} failed after its commit point: {}", record.current().id(), failure.getMessage());
            record.finish(Outcome.SUCCEEDED, new MigrationError(phase, failure.code(), failure.getMessage(),
                    failure.logFile()), "done, with an error after the commit point: " + failure.getMessage());
            return;
        }
        if (frozen != null) {
            frozen.abort(); // CRIU resumes the source tree as it was
        }
        if (peer != null) {
            peer.abort(failure.code(), failure.getMessage());
        }
        LOG.warn("migration {} rolled back in {}: {}", record.current().id(), phase, failure.getMessage());
        record.finish(cancelled ? Outcome.CANCELLED : Outcome.ROLLED_BACK,
                new MigrationError(phase, failure.code(), failure.getMessage(), failure.logFile()),
                (cancelled ? "cancelled" : "rolled back") + " in " + phase + ": " + failure.getMessage()
                        + "; " + container.ref() + " keeps running here");
    }

    private void rememberQuietly(String fact, String value) {
        try {
            workspace.remember(fact, value);
        } catch (IOException e) {
            LOG.warn("migration {}: cannot note {} for recovery: {}", record.current().id(), fact, e.getMessage());
        }
    }

    private void checkCancel() throws MigrationFailure {
        if (context.store().cancelRequested(record.current().id())) {
            throw cancelled();
        }
    }

    private static MigrationFailure cancelled() {
        return new MigrationFailure("cancelled", "cancelled by a user");
    }

    private Plugins.Lease<ContainerBackend> backend() throws MigrationFailure {
        return context.plugins().backend(container.ref().backend()).orElseThrow(() -> new MigrationFailure(
                "backend.gone", "the '" + container.ref().backend() + "' backend went away"));
    }

    private String criuVersion() throws MigrationFailure {
        try {
            return context.criu().version();
        } catch (HaulException e) {
            throw MigrationFailure.of(e);
        }
    }

    private ByteString cpuinfo() throws MigrationFailure {
        Path dir = workspace.root().resolve("cpuinfo");
        try {
            Files.createDirectories(dir);
            context.criu().cpuinfoDump(dir);
            return ByteString.copyFrom(Files.readAllBytes(dir.resolve("cpuinfo.img")));
        } catch (HaulException e) {
            throw MigrationFailure.of(e);
        } catch (IOException e) {
            throw new MigrationFailure("criu.cpuinfo", "cannot read this host's CPU description: " + e.getMessage());
        }
    }

    /** Thrown out of a progress callback to stop a transfer a user cancelled. */
    private static final class CancelledTransfer extends RuntimeException {

        private static final long serialVersionUID = 1L;

        CancelledTransfer() {
            super(null, null, false, false);
        }
    }

    /** What a strategy sees of this migration. Pages go nowhere yet: the page store is the pre-copy work's. */
    private final class SourceContext implements PreCopyContext {

        @Override
        public long rootPid() {
            return container.rootPid();
        }

        /** The root and every process below it now (the tree may fork or lose processes between rounds). */
        @Override
        public List<Long> pids() {
            return ProcessTree.processes(container.rootPid());
        }

        @Override
        public PageSink sink() {
            return pages;
        }

        @Override
        public boolean cancelled() {
            return context.store().cancelRequested(record.current().id());
        }
    }
}
