package io.haul.engine;

import io.haul.api.HaulException;
import io.haul.api.backend.CriuSourceSession;
import io.haul.api.migration.MigrationError;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.Phase;
import io.haul.host.linux.ErrnoException;
import io.haul.host.proc.ProcessTree;
import io.haul.host.proc.TaskStat;
import io.haul.protocol.v1.Commit;
import io.haul.protocol.v1.Envelope;
import io.haul.protocol.v1.NetworkSeen;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Phases 7 to 9 on the source: waits for the destination's restore (its heartbeats tell a slow restore from a
 * lost link), passes the commit point in the record ({@link CommitPoint}), lets the dump finish (the source copy
 * goes), tells the destination to run its copy, and records the outcome.
 */
final class SourceCommit {

    private static final Logger LOG = LoggerFactory.getLogger(SourceCommit.class);

    private final SourceScope source;
    private final Peer peer;
    /** When the destination was told to run its copy (System.nanoTime). */
    private long toldAt;

    SourceCommit(SourceScope source, Peer peer) {
        this.source = source;
        this.peer = peer;
    }

    /**
     * From the container's last frame here before the freeze to the first the destination saw from its copy, as
     * the destination tells it after its confirmation (it waits for that frame a few seconds at most).
     */
    private Optional<Duration> networkSilence(Instant lastFrame) {
        Duration wait = DestinationMigration.FIRST_FRAME_WAIT.plusSeconds(2);
        try {
            NetworkSeen seen = peer.receiveAcrossHeartbeats(Envelope.BodyCase.NETWORK_SEEN, wait, wait)
                    .getNetworkSeen();
            if (!seen.getSeen()) {
                LOG.info("migration {}: {} saw no TCP or UDP frame from the container within {} s of its run",
                        source.id(), source.destination().name(), DestinationMigration.FIRST_FRAME_WAIT.toSeconds());
                return Optional.empty();
            }
            Duration silence = Duration.between(lastFrame, Instant.ofEpochSecond(seen.getEpochSecond(),
                    seen.getNano()));
            LOG.info("migration {}: the container's network was silent {} ms, from its last frame here ({}) to its "
                    + "first on {}", source.id(), silence.toMillis(), lastFrame, source.destination().name());
            return Optional.of(silence);
        } catch (IOException e) {
            LOG.info("migration {}: no word from {} on the container's first frame ({})", source.id(),
                    source.destination().name(), e.getMessage());
            return Optional.empty();
        }
    }

    /** Phase 7: the destination restored the container, stopped; returns the root's pid there. */
    long awaitRestore() throws MigrationFailure, IOException {
        MigrationContext context = source.context();
        // the destination beats while CRIU restores: a link that goes down is noticed within the step timeout,
        // not after the whole restore timeout with the source frozen
        Envelope restored = peer.receiveAcrossHeartbeats(Envelope.BodyCase.RESTORED, context.stepTimeout(),
                context.restoreTimeout());
        long pid = restored.getRestored().getRootPid();
        source.record().statisticsWithNextWrite(s -> s.withNewRootPid(pid)); // the commit point writes it
        return pid;
    }

    /**
     * Phases 8 and 9: from the commit point on the destination is the container, whatever happens.
     * {@code lastFrame}: when the container's last TCP or UDP frame passed here before the freeze, if it was watched.
     */
    SourceMigration.Ending commit(FinalDump.Frozen frozen, long newRootPid, Optional<Instant> lastFrame)
            throws MigrationFailure {
        source.checkCancel();
        source.context().faults().reached(source.id(), "source:" + Phase.COMMIT);
        // From the commit point on the source copy must never run again. CRIU holds it frozen, but if this agent
        // dies before CRIU ends it, CRIU lets go of the tree and it would run beside the destination's copy
        // until recovery here kills it: a SIGSTOP queued behind CRIU's hold keeps it stopped instead (chaos
        // cell source-agent AFTER_COMMIT). A rollback's SIGCONT (here or in recovery) takes the SIGSTOP back.
        boolean ownCriu = source.session() instanceof CriuSourceSession;
        boolean traced = !frozen.heldTasks().isEmpty();
        if (traced) {
            ProcessTree.stop(source.container().rootPid());
            checkStillHeld(frozen.heldTasks());
        }
        if (!source.record().commitPoint()) {
            if (traced) {
                resumeSource();
            }
            MigrationError why = source.record().current().error();
            throw new MigrationFailure("commit.refused", source.destination().name()
                    + " rolled the migration back before the commit point: " + (why == null
                    ? "it lost this agent" : "[" + why.code() + "] " + why.message()));
        }
        source.context().faults().reached(source.id(), "source:COMMITTED");
        source.rollback().committed();
        // Haul's own CRIU ends the source tree only once the destination confirmed its copy runs: a copy lost
        // before it ran (the CRIU that held it killed) voids the commit, and the source, still frozen, takes its
        // own back (chaos cell destination-criu AFTER_COMMIT ended with no copy). The kill comes after the
        // frozen figure. A runtime's copy starts only after the source's container is gone, as the runtime
        // expects: there the source ends its copy first, and the destination can no longer void the commit.
        if (!ownCriu) {
            endSourceCopyUnlessVoided(traced);
            endSource(frozen);
        }
        boolean confirmed = tellToRun(lastFrame.isPresent()) && confirmedRunning();
        Duration frozenFor = Duration.between(frozen.at(), source.context().clock().instant());
        if (ownCriu) {
            if (!confirmed) {
                endSourceCopyUnlessVoided(traced);
            }
            endSource(frozen);
        }
        source.record().statistics(s -> s.withFrozen(frozenFor));
        if (confirmed && lastFrame.isPresent()) {
            networkSilence(lastFrame.get()).ifPresent(silence -> source.record().statistics(s ->
                    s.withNetworkSilence(silence)));
        }
        source.record().enter(Phase.CLEANUP, "cleaning up");
        source.context().faults().reached(source.id(), "source:" + Phase.CLEANUP);
        return new SourceMigration.Ending(Outcome.SUCCEEDED, null, (confirmed ? "done: " : "done (unconfirmed): ")
                + source.container().ref() + " runs on " + source.destination().name() + " as pid " + newRootPid
                + ", frozen for " + frozenFor.toMillis() + " ms");
    }

    /**
     * Each task of the source tree still in CRIU's hold (traced-stopped): a CRIU that died since the dump let the
     * tree run on, so the images the destination restored are behind it and the source copy is the container
     * (chaos cells source-criu TRANSFER and RESTORE committed with two copies). The SIGSTOP just sent keeps a
     * task stopped if CRIU lets go after this look.
     */
    private void checkStillHeld(List<Long> heldTasks) throws MigrationFailure {
        List<Long> loose = heldTasks.stream()
                .filter(pid -> TaskStat.read(pid).map(TaskStat::state).orElse('X') != 't').toList();
        if (!loose.isEmpty()) {
            resumeSource();
            throw new MigrationFailure("criu.hold-lost", "CRIU no longer holds the frozen source tree (tasks "
                    + loose + " are out of its hold: it ended): the tree ran on here after the dump, so "
                    + source.destination().name() + "'s copy is behind it; " + source.container().ref() + " stays here");
        }
    }

    /**
     * Unconfirmed past the commit point: the record moves on to CLEANUP, so the source's copy may go, unless the
     * destination voided the commit first because its copy was lost before it ran; then the source takes its
     * copy back (the rollback, as before the commit point).
     */
    private void endSourceCopyUnlessVoided(boolean traced) throws MigrationFailure {
        if (source.record().endingSourceCopy("the source's copy goes")) {
            return;
        }
        if (traced) {
            resumeSource();
        }
        source.rollback().commitVoided();
        MigrationError why = source.record().current().error();
        throw new MigrationFailure(why == null ? "restore.copy-lost" : why.code(), "the commit is void: "
                + (why == null ? source.destination().name() + " lost its copy before it ran" : why.message()));
    }

    /** Takes back the SIGSTOP of the commit: CRIU's rollback lets the tree run on (SIGCONT drops a queued stop). */
    private void resumeSource() {
        try {
            ProcessTree.resume(source.container().rootPid());
        } catch (ErrnoException e) {
            LOG.error("migration {}: cannot take back the stop of the source tree {}: {}", source.id(),
                    source.container().rootPid(), e.getMessage());
        }
    }

    /** The source copy goes: CRIU (or the runtime) kills the frozen tree, the backend forgets it. */
    private void endSource(FinalDump.Frozen frozen) {
        try {
            frozen.held().commit();
        } catch (HaulException e) {
            LOG.error("migration {}: CRIU did not finish the dump after the commit point; killing the source tree {} "
                    + "itself: {}", source.id(), source.container().rootPid(), e.getMessage());
            if (source.session() instanceof CriuSourceSession) {
                ProcessTree.kill(source.container().rootPid()); // past the commit point the source copy must go
            }
        }
        try {
            source.session().committed(); // e.g. the runtime forgets the stopped container
        } catch (RuntimeException e) {
            LOG.warn("migration {}: the backend could not clean up after the source: {}", source.id(), e.toString());
        }
    }

    /** Tells the destination to run its copy; false when it cannot be told (it resumes it from the record). */
    private boolean tellToRun(boolean reportNetwork) {
        try {
            toldAt = System.nanoTime();
            peer.send(Envelope.newBuilder().setCommit(Commit.newBuilder().setReportNetwork(reportNetwork)));
            return true;
        } catch (IOException e) {
            LOG.warn("migration {}: {} could not be told to run the container ({}); it resumes the tree from the "
                    + "record", source.id(), source.destination().name(), e.getMessage());
            return false;
        }
    }

    /** Whether the destination confirmed its copy runs. */
    private boolean confirmedRunning() {
        try {
            peer.receive(Envelope.BodyCase.COMMITTED, source.context().stepTimeout());
            LOG.info("migration {}: {} confirmed it runs the container {} ms after it was told to", source.id(),
                    source.destination().name(), (System.nanoTime() - toldAt) / 1_000_000);
            return true;
        } catch (IOException e) {
            LOG.warn("migration {}: {} did not confirm the commit ({}); it resumes the tree from the record",
                    source.id(), source.destination().name(), e.getMessage());
            return false;
        }
    }
}
