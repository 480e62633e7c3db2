package io.haul.engine;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one side of a migration must undo if it fails before the commit point, and what it must release however
 * it ends, registered by each phase as it makes something (the peer, the network lock, the frozen dump). Undo
 * steps run last registered first, so the source resumes its tree before it tells the destination; past the
 * commit point nothing is undone, unless the commit is void: the destination lost its copy before it ran
 * ({@link CommitPoint#voidUnlessSourceEnded}), and the source, whose copy is still there, takes it back.
 */
final class Rollback implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Rollback.class);

    private final String migrationId;
    private final Deque<Consumer<MigrationFailure>> undo = new ArrayDeque<>();
    private final Deque<AutoCloseable> releases = new ArrayDeque<>();
    private boolean committed;

    Rollback(String migrationId) {
        this.migrationId = migrationId;
    }

    /** A step to undo on a failure before the commit point; it is told why. */
    synchronized void undo(Consumer<MigrationFailure> step) {
        undo.push(step);
    }

    /** Something to release at the end, whatever happened; returned for the caller's use. */
    synchronized <T extends AutoCloseable> T release(T resource) {
        releases.push(resource);
        return resource;
    }

    /** The commit point is passed: the destination is the container, nothing is undone from here on. */
    synchronized void committed() {
        committed = true;
    }

    /** The commit is void (the destination's copy was lost before it ran): the steps may be undone again. */
    synchronized void commitVoided() {
        committed = false;
    }

    synchronized boolean isCommitted() {
        return committed;
    }

    /**
     * Undoes every registered step, each once; a step that fails does not stop the others. Past the commit point
     * (not void) nothing is undone.
     */
    synchronized void rollBack(MigrationFailure why) {
        if (committed) {
            LOG.warn("migration {}: nothing is undone past the commit point ({})", migrationId, why.getMessage());
            return;
        }
        while (!undo.isEmpty()) {
            Consumer<MigrationFailure> step = undo.pop();
            try {
                step.accept(why);
            } catch (RuntimeException e) {
                LOG.error("migration {}: a rollback step failed: {}", migrationId, e.toString(), e);
            }
        }
    }

    /** Releases everything registered, each once; undoes what is left first when the commit point was not passed. */
    @Override
    public synchronized void close() {
        if (!committed && !undo.isEmpty()) {
            rollBack(new MigrationFailure("internal", "the migration ended without settling"));
        }
        while (!releases.isEmpty()) {
            try {
                releases.pop().close();
            } catch (Exception e) {
                LOG.warn("migration {}: releasing {} failed: {}", migrationId, e.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
