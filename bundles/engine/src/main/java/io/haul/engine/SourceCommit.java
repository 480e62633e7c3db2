package io.haul.engine;

import io.haul.api.HaulException;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.Phase;
import io.haul.protocol.v1.Commit;
import io.haul.protocol.v1.Envelope;
import java.io.IOException;
import java.time.Duration;
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

    SourceCommit(SourceScope source, Peer peer) {
        this.source = source;
        this.peer = peer;
    }

    /** Phase 7: the destination restored the container, stopped; returns the root's pid there. */
    long awaitRestore() throws MigrationFailure, IOException {
        MigrationContext context = source.context();
        // the destination beats while CRIU restores: a link that goes down is noticed within the step timeout,
        // not after the whole restore timeout with the source frozen
        Envelope restored = peer.receiveAcrossHeartbeats(Envelope.BodyCase.RESTORED, context.stepTimeout(),
                context.restoreTimeout());
        long pid = restored.getRestored().getRootPid();
        source.record().statistics(s -> s.withNewRootPid(pid));
        return pid;
    }

    /** Phases 8 and 9: from the commit point on the destination is the container, whatever happens. */
    SourceMigration.Ending commit(FinalDump.Frozen frozen, long newRootPid) throws MigrationFailure {
        source.checkCancel();
        source.context().faults().reached(source.id(), "source:" + Phase.COMMIT);
        if (!source.record().commitPoint()) {
            throw new MigrationFailure("commit.refused", source.destination().name()
                    + " rolled the migration back before the commit point (it lost this agent)");
        }
        source.context().faults().reached(source.id(), "source:COMMITTED");
        source.rollback().committed();
        try {
            frozen.held().commit(); // CRIU (or the runtime) kills the source tree now
        } catch (HaulException e) {
            LOG.error("migration {}: CRIU did not finish the dump after the commit point; the source tree {} may "
                    + "still exist: {}", source.id(), source.container().rootPid(), e.getMessage());
        }
        try {
            source.session().committed(); // e.g. the runtime forgets the stopped container
        } catch (RuntimeException e) {
            LOG.warn("migration {}: the backend could not clean up after the source: {}", source.id(), e.toString());
        }
        boolean confirmed = false;
        try {
            long told = System.nanoTime();
            peer.send(Envelope.newBuilder().setCommit(Commit.getDefaultInstance()));
            peer.receive(Envelope.BodyCase.COMMITTED, source.context().stepTimeout());
            confirmed = true;
            LOG.info("migration {}: {} confirmed it runs the container {} ms after it was told to", source.id(),
                    source.destination().name(), (System.nanoTime() - told) / 1_000_000);
        } catch (IOException e) {
            LOG.warn("migration {}: {} did not confirm the commit ({}); it resumes the tree from the record",
                    source.id(), source.destination().name(), e.getMessage());
        }
        Duration frozenFor = Duration.between(frozen.at(), source.context().clock().instant());
        source.record().statistics(s -> s.withFrozen(frozenFor));
        source.record().enter(Phase.CLEANUP, "cleaning up");
        return new SourceMigration.Ending(Outcome.SUCCEEDED, null, (confirmed ? "done: " : "done (unconfirmed): ")
                + source.container().ref() + " runs on " + source.destination().name() + " as pid " + newRootPid
                + ", frozen for " + frozenFor.toMillis() + " ms");
    }
}
