package io.haul.engine;

import io.haul.api.HaulException;
import io.haul.api.backend.DestinationSession;
import io.haul.api.backend.HeldRestore;
import io.haul.api.migration.Phase;
import io.haul.api.transport.Connection;
import io.haul.protocol.ProtocolException;
import io.haul.protocol.Versions;
import io.haul.host.net.FrameDrop;
import io.haul.host.net.FrameWatch;
import io.haul.host.proc.ProcessTree;
import io.haul.protocol.v1.Commit;
import io.haul.protocol.v1.Committed;
import io.haul.protocol.v1.Envelope;
import io.haul.protocol.v1.HelloReply;
import io.haul.protocol.v1.NetworkSeen;
import io.haul.protocol.v1.Prepare;
import io.haul.protocol.v1.Prepared;
import io.haul.protocol.v1.Restored;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination side of one migration, phase by phase: answers the handshake, checks, receives the files, pages
 * and images, restores the container stopped, and runs it only at the commit. Losing the source before the commit
 * point, it settles the outcome through the record ({@link CommitPoint}): whichever of the two sides writes first
 * decides. Anything that fails before the commit point is undone through the migration's {@link Rollback}.
 */
final class DestinationMigration implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(DestinationMigration.class);
    /** How long after the confirmation the destination waits for the copy's first frame. */
    static final Duration FIRST_FRAME_WAIT = Duration.ofSeconds(3);
    private static final Pattern MIGRATION_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

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
            migrate(peer, id);
        } catch (ProtocolException e) {
            LOG.warn("refused a migration{} from {}: {}", id.isEmpty() ? "" : " " + id, connection.peer(),
                    e.getMessage());
            peer.refuse(e.code(), e.getMessage());
        } catch (IOException e) {
            LOG.warn("migration{}: {} went away or broke the protocol before a restore: {}",
                    id.isEmpty() ? " (no id yet)" : " " + id, connection.peer(), e.getMessage());
            // the source may only see its stream close: if it is still there, it hears why (a full disk here...)
            peer.abort("destination.failed", "the destination " + context.agentName() + " failed: " + e.getMessage());
        } finally {
            peer.close();
        }
    }

    private void migrate(Peer peer, String id) throws IOException {
        Workspace workspace = new Workspace(context.migrationsDir(), id);
        try (Rollback rollback = new Rollback(id)) {
            rollback.release(workspace::dropImages);
            workspace.create();
            Prepare prepare = peer.receive(Envelope.BodyCase.PREPARE, context.stepTimeout()).getPrepare();
            DestinationChecks.Accepted accepted;
            try {
                reached(id, Phase.CHECKS.name());
                accepted = new DestinationChecks(context, workspace, rollback).run(prepare);
            } catch (MigrationFailure failure) {
                peer.send(Envelope.newBuilder().setPrepared(Prepared.newBuilder().setOk(false)
                        .setCode(failure.code()).setMessage(failure.getMessage())));
                LOG.info("migration {} refused: {}", id, failure.getMessage());
                return;
            }
            peer.send(Envelope.newBuilder().setPrepared(Prepared.newBuilder().setOk(true)));
            try {
                reached(id, Phase.FILESYSTEM.name());
            } catch (MigrationFailure failure) {
                peer.abort(failure.code(), failure.getMessage());
                return;
            }
            List<String> macs;
            try {
                macs = new Reception(context, workspace, peer, id, accepted.session()).run(prepare);
            } catch (HaulException e) {
                MigrationFailure failure = MigrationFailure.of(e);
                rollback.rollBack(failure);
                LOG.warn("migration {}: the files sent ahead could not be taken: {}", id, failure.getMessage());
                peer.abort(failure.code(), failure.getMessage());
                return;
            }
            HeldRestore tree;
            Optional<FrameDrop> silence;
            try {
                reached(id, Phase.RESTORE.name());
                // released on every outcome; lifted at once past the commit point
                silence = ContainerFrames.silence(macs, id);
                silence.ifPresent(rollback::release);
                silence.ifPresent(drop -> rollback.undo(why -> drop.close())); // before the source hears
                tree = new DestinationRestore(context, workspace, peer, rollback).run(accepted, id);
            } catch (HaulException | MigrationFailure e) {
                MigrationFailure failure = e instanceof HaulException h ? MigrationFailure.of(h) : (MigrationFailure) e;
                rollback.rollBack(failure);
                String log = failure.logFile();
                String where = log.isEmpty() ? "" : failure.getMessage().contains(log) ? " (on " + context.agentName()
                        + ")" : " (log on " + context.agentName() + ": " + log + ")";
                LOG.warn("migration {}: restore failed: {}{}", id, failure.getMessage(), where);
                peer.abort(failure.code(), failure.getMessage() + where);
                return;
            }
            LOG.info("migration {}: restored as pid {}, stopped until the commit", id, tree.rootPid());
            try (HeldCopyWatch held = HeldCopyWatch.start(context, id, tree)) {
                peer.send(Envelope.newBuilder().setRestored(Restored.newBuilder().setRootPid(tree.rootPid())));
                Optional<Commit> commit = awaitVerdict(peer, id);
                if (commit.isEmpty()) {
                    held.close(); // the rollback's kill is no loss
                    rollback.rollBack(new MigrationFailure("rolled-back", "the migration rolled back"));
                    return;
                }
                rollback.committed();
                silence.ifPresent(FrameDrop::close);
                run(peer, id, tree, accepted, commit.get().getReportNetwork(), rollback, held);
            }
        }
    }

    /**
     * Whether the restored copy is the container: the source's commit says so, its abort says not, and without
     * the source the record decides.
     */
    private Optional<Commit> awaitVerdict(Peer peer, String id) {
        try {
            Commit commit = peer.receive(Envelope.BodyCase.COMMIT, context.stepTimeout()).getCommit();
            reached(id, Phase.COMMIT.name());
            return Optional.of(commit);
        } catch (ProtocolException e) {
            LOG.info("migration {}: the source rolled back ({})", id, e.getMessage());
            return Optional.empty();
        } catch (IOException | MigrationFailure e) {
            LOG.warn("migration {}: lost the source while holding the restored tree ({}); the record decides", id,
                    e.getMessage());
            return CommitPoint.decideWithoutSource(context.store(), id, context.agentName(), context.clock().instant())
                    ? Optional.of(Commit.getDefaultInstance()) : Optional.empty();
        }
    }

    /** After the commit point: the restored copy runs, its traffic goes through, the source hears it. */
    private void run(Peer peer, String id, HeldRestore tree, DestinationChecks.Accepted accepted,
            boolean reportNetwork, Rollback rollback, HeldCopyWatch held) {
        DestinationSession session = accepted.session();
        // watched from before the resume: the copy's first frame may leave at once
        Optional<FrameWatch> frames = reportNetwork
                ? ContainerFrames.watch(ContainerFrames.macsOf(tree.rootPid(), id), id) : Optional.empty();
        Instant resumed = Instant.now();
        Optional<String> lost = held.lostAfterCommit();
        if (lost.isPresent()) { // its lazy-pages daemon killed, say: the copy must not run
            tree.kill();
            frames.ifPresent(FrameWatch::close);
            voidCommit(peer, id, rollback, lost.get());
            return;
        }
        try {
            tree.resume();
            LOG.info("migration {}: the container runs here as pid {}", id, tree.rootPid());
        } catch (HaulException e) {
            if (!ProcessTree.exists(tree.rootPid())) { // it never ran: the resume lets it go only once CRIU is done
                frames.ifPresent(FrameWatch::close);
                voidCommit(peer, id, rollback, "the restored copy on " + context.agentName() + " (root pid "
                        + tree.rootPid() + ") was lost before it ran: " + e.getMessage());
                return;
            }
            LOG.error("migration {}: the restored tree {} could not be resumed: {}", id, tree.rootPid(), e.getMessage());
        }
        held.close(); // it runs: its end is the container's own
        for (DestinationChecks.PreparedNamespace namespace : accepted.namespaces()) {
            try {
                namespace.handler().running(namespace.plan(), tree.rootPid());
            } catch (RuntimeException e) {
                LOG.warn("migration {}: the {} handler failed once the container ran: {}", id,
                        namespace.plan().kind().procName(), e.toString());
            }
        }
        try {
            session.unlockNetwork();
            session.committed(tree.rootPid());
        } catch (RuntimeException e) {
            LOG.warn("migration {}: the backend could not finish taking the container: {}", id, e.toString());
        }
        try {
            peer.send(Envelope.newBuilder().setCommitted(Committed.getDefaultInstance()));
            if (reportNetwork) {
                NetworkSeen seen = firstFrame(frames);
                if (seen.getSeen()) {
                    LOG.info("migration {}: the copy's first TCP or UDP frame passed here {} ms after the resume", id,
                            Duration.between(resumed, Instant.ofEpochSecond(seen.getEpochSecond(), seen.getNano()))
                                    .toMillis());
                }
                peer.send(Envelope.newBuilder().setNetworkSeen(seen));
            }
        } catch (IOException e) {
            LOG.debug("migration {}: the source left before our confirmation", id);
        } finally {
            frames.ifPresent(FrameWatch::close);
        }
    }

    /**
     * Past the commit point, the copy lost before it ran (the CRIU that held it died, or its lazy-pages daemon; its
     * tasks were killed): the commit is void while the source still has its copy
     * ({@link CommitPoint#voidUnlessSourceEnded}); the source hears at once and takes its copy back, and this side
     * undoes what it made, as before the commit point.
     */
    private void voidCommit(Peer peer, String id, Rollback rollback, String message) {
        if (!CommitPoint.voidUnlessSourceEnded(context.store(), id, "restore.copy-lost", message,
                context.clock().instant())) {
            LOG.error("migration {}: {}, after the source had ended its own copy: no copy of the container runs", id,
                    message);
            return;
        }
        LOG.warn("migration {}: {}; the commit is void, the source keeps its copy", id, message);
        peer.abort("restore.copy-lost", message);
        rollback.commitVoided();
        rollback.rollBack(new MigrationFailure("restore.copy-lost", message));
    }

    /**
     * When the running copy's first TCP or UDP frame passed this host: waited for after the confirmation (the
     * source's figures are complete without it), at most {@link #FIRST_FRAME_WAIT}, long enough for a peer's
     * retransmission after its backoff.
     */
    private static NetworkSeen firstFrame(Optional<FrameWatch> frames) {
        Optional<Instant> first = Optional.empty();
        try {
            if (frames.isPresent()) {
                first = frames.get().awaitFirst(FIRST_FRAME_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return first.map(at -> NetworkSeen.newBuilder().setSeen(true).setEpochSecond(at.getEpochSecond())
                .setNano(at.getNano()).build()).orElse(NetworkSeen.getDefaultInstance());
    }

    private void reached(String id, String point) throws MigrationFailure {
        context.faults().reached(id, "destination:" + point);
    }
}
