package io.haul.engine;

import io.haul.api.migration.ConvergencePolicy;
import io.haul.api.migration.MigrationError;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.Phase;
import io.haul.cluster.ContainerLock;
import io.haul.host.net.FrameWatch;
import io.haul.protocol.ProtocolException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source side of one migration, phase by phase (README.md, "A migration, and what happens when it fails").
 * Until the record reaches the commit point any failure rolls back: the steps registered in the
 * {@link Rollback} undo what was done (CRIU resumes the frozen tree, the network lock goes, the destination is
 * told), and the container runs on here as it was. From the commit point on the destination is the container.
 */
final class SourceMigration implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(SourceMigration.class);

    private final SourceScope source;
    private final ContainerLock lock;
    private final String strategyNames;
    private final String transportName;
    private final ConvergencePolicy policy;
    /** How long a source whose stream broke waits for the destination's word on why. */
    private static final Duration LAST_WORD = Duration.ofSeconds(2);

    SourceMigration(SourceScope source, ContainerLock lock, String strategyNames, String transportName,
            ConvergencePolicy policy) {
        this.source = source;
        this.lock = lock;
        this.strategyNames = strategyNames;
        this.transportName = transportName;
        this.policy = policy;
    }

    @Override
    public void run() {
        Ending ending;
        // the lock, the session and everything the phases made are released before the outcome is told, so that
        // whoever hears it can move the container again at once
        try (lock; var backend = source.backend(); var session = source.session(); Rollback rollback = source.rollback()) {
            ending = migrateOrRollBack();
        }
        source.record().finish(ending.outcome(), ending.error(), ending.message());
    }

    /** How a migration ended: what the record says, and the last event's message. */
    record Ending(Outcome outcome, MigrationError error, String message) {
    }

    private Ending migrateOrRollBack() {
        try {
            return migrate();
        } catch (MigrationFailure failure) {
            return fail(failure);
        } catch (ProtocolException e) {
            return fail(new MigrationFailure(e.code(), e.getMessage(), null, e));
        } catch (IOException e) {
            return fail(new MigrationFailure("transport.lost", "the connection to " + source.destination().name()
                    + " failed: " + e.getMessage(), null, e));
        } catch (RuntimeException e) {
            LOG.error("migration {} failed unexpectedly", source.id(), e);
            return fail(new MigrationFailure("internal", "unexpected failure: " + e, null, e));
        }
    }

    private Ending migrate() throws MigrationFailure, IOException {
        RecordKeeper record = source.record();
        // released last: the images go once nothing (a capture, the peer) uses them any more
        source.rollback().release(source.workspace()::dropImages);
        source.workspace().create();
        record.enter(Phase.HANDSHAKE, "connecting to " + source.destination().name() + " at "
                + source.destination().address());
        source.entering(Phase.HANDSHAKE.name());
        Peer peer = new Handshake(source, transportName).connect();
        // a stream that broke under a send may have the destination's reason behind it: that is the error
        try {
            return migrateWith(peer);
        } catch (IOException e) {
            throw destinationsWord(peer, e).orElseThrow(() -> e);
        } catch (MigrationFailure failure) {
            throw failure.code().equals("transport.lost") ? destinationsWord(peer, failure).orElse(failure) : failure;
        }
    }

    private Optional<MigrationFailure> destinationsWord(Peer peer, Exception broken) {
        return peer.lastWord(LAST_WORD).map(word -> new MigrationFailure(word.code(), source.destination().name()
                + " failed: " + word.getMessage().replaceFirst("^the peer (aborted|refused): ", ""), null, broken));
    }

    private Ending migrateWith(Peer peer) throws MigrationFailure, IOException {
        RecordKeeper record = source.record();

        record.enter(Phase.CHECKS, "checking that " + source.destination().name() + " can take "
                + source.container().ref());
        source.entering(Phase.CHECKS.name());
        SourceChecks.Checked checked = new SourceChecks(source, peer).run();

        record.enter(Phase.FILESYSTEM, "files: the container's own files, ahead of the freeze");
        source.entering(Phase.FILESYSTEM.name());
        CountingOutputStream wire = new CountingOutputStream(peer.connection().bulkOut());
        var files = new FilesAhead(source, peer, wire).run();

        // the container's frames, watched until the freeze: the last one starts the network figure
        List<String> macs = ContainerFrames.macsOf(checked.rootPid(), source.id());
        Optional<FrameWatch> frames = ContainerFrames.watch(macs, source.id());
        frames.ifPresent(source.rollback()::release);
        PushingPageSink pages = new PreCopyRounds(source, wire, strategyNames, policy).run(checked.rootPid());

        record.enter(Phase.FINAL_DUMP, "freezing and dumping " + source.container().ref());
        source.entering(Phase.FINAL_DUMP.name());
        FinalDump.Frozen frozen = new FinalDump(source).run(checked, files, pages);
        frames.ifPresent(FrameWatch::close); // frozen: the container sends nothing more here
        Optional<Instant> lastFrame = frames.flatMap(FrameWatch::last);

        record.enter(Phase.TRANSFER, "sending the images to " + source.destination().name());
        source.entering(Phase.TRANSFER.name());
        new ImageTransfer(source, peer, wire).run(frozen, macs);

        record.enter(Phase.RESTORE, "restoring on " + source.destination().name());
        source.entering(Phase.RESTORE.name());
        SourceCommit commit = new SourceCommit(source, peer);
        long newRootPid = commit.awaitRestore();
        return commit.commit(frozen, newRootPid, lastFrame);
    }

    private Ending fail(MigrationFailure failure) {
        RecordKeeper record = source.record();
        Phase phase = record.current().phase();
        MigrationError error = new MigrationError(phase, failure.code(), failure.getMessage(), failure.logFile());
        if (source.rollback().isCommitted()) {
            LOG.error("migration {} failed after its commit point: {}", source.id(), failure.getMessage());
            return new Ending(Outcome.SUCCEEDED, error, "done, with an error after the commit point: "
                    + failure.getMessage());
        }
        source.rollback().rollBack(failure);
        try {
            source.session().rolledBack();
        } catch (RuntimeException e) {
            LOG.warn("migration {}: the backend could not settle the rollback: {}", source.id(), e.toString());
        }
        boolean cancelled = failure.code().equals("cancelled");
        LOG.warn("migration {} rolled back in {}: {}", source.id(), phase, failure.getMessage());
        return new Ending(cancelled ? Outcome.CANCELLED : Outcome.ROLLED_BACK, error,
                (cancelled ? "cancelled" : "rolled back") + " in " + phase + ": " + failure.getMessage()
                        + "; " + source.container().ref() + " keeps running here");
    }
}
