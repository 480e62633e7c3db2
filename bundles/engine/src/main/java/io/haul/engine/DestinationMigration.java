package io.haul.engine;

import io.haul.api.HaulException;
import io.haul.api.backend.DumpPlan.ContainerManifest;
import io.haul.api.backend.HeldRestore;
import io.haul.api.backend.RestorePlan;
import io.haul.api.migration.MigrationError;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.Phase;
import io.haul.api.namespace.NamespaceState;
import io.haul.api.transport.Connection;
import io.haul.criu.RestoreRequest;
import io.haul.host.KernelFeature;
import io.haul.protocol.ImageStream;
import io.haul.protocol.ProtocolException;
import io.haul.protocol.Versions;
import io.haul.protocol.v1.Committed;
import io.haul.protocol.v1.Envelope;
import io.haul.protocol.v1.HelloReply;
import io.haul.protocol.v1.ImageFile;
import io.haul.protocol.v1.Prepare;
import io.haul.protocol.v1.Prepared;
import io.haul.protocol.v1.Restored;
import io.haul.pages.PagePushReader;
import io.haul.pages.PageStore;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination side of one migration: answers the handshake, checks, receives the images, restores the
 * tree stopped, and runs it only at the commit. Losing the source before the commit point, it settles the
 * outcome through the record: whichever of the two sides writes first decides.
 */
final class DestinationMigration implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(DestinationMigration.class);
    private static final Pattern MIGRATION_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
    /** Images carry some metadata beyond the resident memory they hold. */
    private static final long IMAGE_SLACK_BYTES = 256L << 20;

    private final MigrationContext context;
    private final Connection connection;

    DestinationMigration(MigrationContext context, Connection connection) {
        this.context = context;
        this.connection = connection;
    }

    @Override
    public void run() {
        Peer peer = new Peer(connection, "");
        String id = "";
        try {
            Envelope hello = peer.receive(Envelope.BodyCase.HELLO, context.stepTimeout());
            id = hello.getMigrationId();
            if (!MIGRATION_ID.matcher(id).matches()) {
                throw new ProtocolException("protocol.bad-id", "a migration id must be 1 to 64 letters, digits or '-'");
            }
            int version = Versions.negotiate(hello.getHello().getMinVersion(), hello.getHello().getMaxVersion());
            peer = new Peer(connection, id);
            peer.agreeOn(version);
            LOG.info("migration {} offered by {} ({})", id, hello.getHello().getAgent(), peer.name());
            peer.send(Envelope.newBuilder().setHelloReply(HelloReply.newBuilder().setVersion(version)
                    .setAgent(context.agentName())
                    .setCapabilities(context.capabilities().now())));
            receive(peer, id);
        } catch (ProtocolException e) {
            LOG.warn("refused a migration{} from {}: {}", id.isEmpty() ? "" : " " + id, connection.peer(),
                    e.getMessage());
            peer.refuse(e.code(), e.getMessage());
        } catch (IOException e) {
            LOG.warn("migration{}: {} went away or broke the protocol before a restore: {}",
                    id.isEmpty() ? " (no id yet)" : " " + id, connection.peer(), e.getMessage());
        } finally {
            peer.close();
        }
    }

    private void receive(Peer peer, String id) throws IOException {
        Workspace workspace = new Workspace(context.migrationsDir(), id).create();
        DestinationChecks checks = new DestinationChecks(context.plugins(), context.criu());
        List<NamespaceState> namespaces = List.of();
        try {
            Prepare prepare = peer.receive(Envelope.BodyCase.PREPARE, context.stepTimeout()).getPrepare();
            try {
                namespaces = checks.run(prepare, workspace);
            } catch (MigrationFailure failure) {
                peer.send(Envelope.newBuilder().setPrepared(Prepared.newBuilder().setOk(false)
                        .setCode(failure.code()).setMessage(failure.getMessage())));
                LOG.info("migration {} refused: {}", id, failure.getMessage());
                return;
            }
            peer.send(Envelope.newBuilder().setPrepared(Prepared.newBuilder().setOk(true)));
            long allowance = Math.max(prepare.getExpectedImageBytes() * 2, prepare.getExpectedImageBytes() + IMAGE_SLACK_BYTES);
            List<ImageFile> received;
            try (PreparedPageImage prepared = context.preparePageImages() ? PreparedPageImage.start(
                    workspace.root().resolve("prepared-pages.img"), prepare.getExpectedImageBytes()) : null;
                    PageStore store = new PageStore(context.pageStoreBudget(), workspace.root().resolve("pagestore"));
                    Watchdog watchdog = new Watchdog(context.clock(), context.stepTimeout(), peer::close)) {
                // buffered: the page formats read a few bytes at a time, each read of the connection takes its lock
                InputStream bulk = new BufferedInputStream(new WatchedInputStream(connection.bulkIn(), watchdog), 1 << 16);
                if (peer.version() >= Versions.FILES_AHEAD) {
                    // the container's own files, sent while it runs; beside the images, which leave them room
                    long room = LocalCapabilities.freeBytes(workspace.root()) - allowance;
                    List<ImageFile> ahead = ImageStream.receive(bulk, workspace.images(), Math.max(0, room),
                            done -> watchdog.moved());
                    if (!ahead.isEmpty()) {
                        LOG.info("migration {}: {} file(s) received ahead of the freeze", id, ahead.size());
                    }
                }
                PagePushReader.Counts precopied = PagePushReader.readAll(bulk, store);
                LOG.info("migration {}: {} pages pre-copied into the page store", id, precopied.added());
                received = ImageStream.receive(bulk, workspace.images(), allowance, done -> watchdog.moved(),
                        RecipePageImages.receiving(store, prepared));
            }
            List<ImageFile> announced = peer.receive(Envelope.BodyCase.IMAGES_SENT, context.stepTimeout())
                    .getImagesSent().getFilesList();
            if (!announced.equals(received)) {
                throw new ProtocolException("protocol.images-differ", "the images received (" + received.size()
                        + " files) are not the ones the source announced (" + announced.size() + ")");
            }
            restoreAndCommit(peer, id, prepare, workspace);
        } finally {
            checks.release(namespaces, workspace);
            workspace.dropImages();
        }
    }

    private void restoreAndCommit(Peer peer, String id, Prepare prepare, Workspace workspace) throws IOException {
        ContainerManifest manifest = new ContainerManifest(prepare.getBackend(), prepare.getContainerId(),
                prepare.getManifestFactsMap());
        HeldRestore tree;
        RestorePlan plan = null;
        try (var backend = context.plugins().backend(prepare.getBackend()).orElseThrow(() ->
                new HaulException("backend.gone", "the '" + prepare.getBackend() + "' backend went away"));
                Heartbeats beating = new Heartbeats(peer, heartbeatInterval())) {
            plan = backend.service().planRestore(manifest, workspace.images());
            // a runtime that owns the tasks (Docker, runc) restores them itself; otherwise CRIU does, with the plan
            tree = backend.service().restore(id, plan, workspace.images()).orElse(null);
            if (tree == null) {
                tree = context.criu().restore(new RestoreRequest(plan, workspace.images(), workspace.log("restore"),
                        lazyRestore()));
                workspace.remember("restored.pid", Long.toString(tree.rootPid()));
                backend.service().restored(plan, tree.rootPid());
            }
        } catch (HaulException e) {
            if (plan != null) {
                abandon(plan, prepare.getBackend());
            }
            String where = e.logFile() == null ? "" : e.getMessage().contains(e.logFile())
                    ? " (on " + context.agentName() + ")" : " (log on " + context.agentName() + ": " + e.logFile() + ")";
            LOG.warn("migration {}: restore failed: {}{}", id, e.getMessage(), where);
            peer.abort(e.code(), e.getMessage() + where);
            return;
        }
        LOG.info("migration {}: restored as pid {}, stopped until the commit", id, tree.rootPid());
        peer.send(Envelope.newBuilder().setRestored(Restored.newBuilder().setRootPid(tree.rootPid())));
        boolean run;
        try {
            peer.receive(Envelope.BodyCase.COMMIT, context.stepTimeout());
            run = true;
        } catch (ProtocolException e) {
            LOG.info("migration {}: the source rolled back ({})", id, e.getMessage());
            run = false;
        } catch (IOException e) {
            LOG.warn("migration {}: lost the source while holding the restored tree ({}); the record decides", id,
                    e.getMessage());
            run = decideAlone(id);
        }
        if (run) {
            resume(peer, id, tree, prepare.getBackend());
        } else {
            discard(tree, plan, prepare.getBackend());
        }
    }

    /** Lazily where configured and the kernel has userfaultfd (probed with the host's report). */
    private boolean lazyRestore() {
        return context.lazyRestore() && context.capabilities().now().getKernelFeaturesOrDefault(KernelFeature.USERFAULTFD,
                false);
    }

    /** Often enough that the source hears a few beats within its step timeout. */
    private Duration heartbeatInterval() {
        return Duration.ofMillis(Math.max(200, Math.min(2_000, context.stepTimeout().toMillis() / 4)));
    }

    private void resume(Peer peer, String id, HeldRestore tree, String backend) {
        try {
            tree.resume();
            LOG.info("migration {}: {}:{} runs here as pid {}", id, backend, tree.rootPid(), tree.rootPid());
        } catch (HaulException e) {
            LOG.error("migration {}: the restored tree {} could not be resumed: {}", id, tree.rootPid(), e.getMessage());
        }
        try {
            peer.send(Envelope.newBuilder().setCommitted(Committed.getDefaultInstance()));
        } catch (IOException e) {
            LOG.debug("migration {}: the source left before our confirmation", id);
        }
    }

    private void discard(HeldRestore tree, RestorePlan plan, String backendName) {
        tree.kill();
        abandon(plan, backendName);
    }

    private void abandon(RestorePlan plan, String backendName) {
        context.plugins().backend(backendName).ifPresent(backend -> {
            try (backend) {
                backend.service().restoreAbandoned(plan);
            }
        });
    }

    /**
     * Without the source, the record says whether the commit point was passed. If not, this side writes the
     * rollback, and a source that comes back finds it and cannot commit any more.
     */
    boolean decideAlone(String id) {
        while (true) {
            Optional<MigrationRecord> stored = context.store().get(id);
            if (stored.isEmpty()) {
                return false;
            }
            MigrationRecord record = stored.get();
            if (record.phase() == Phase.COMMIT || record.phase() == Phase.CLEANUP || record.outcome() == Outcome.SUCCEEDED) {
                return true;
            }
            if (record.outcome() != Outcome.IN_PROGRESS) {
                return false;
            }
            MigrationRecord rolledBack = new MigrationRecord(record.id(), record.container(), record.source(),
                    record.destination(), record.phase(), Outcome.ROLLED_BACK, record.started(), context.clock().instant(),
                    record.statistics(), new MigrationError(record.phase(), "transport.lost", "the destination "
                    + context.agentName() + " lost the source before the commit point", ""), record.history());
            if (context.store().replace(record, rolledBack)) {
                return false;
            }
        }
    }
}
