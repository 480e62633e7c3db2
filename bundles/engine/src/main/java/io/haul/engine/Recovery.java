package io.haul.engine;

import io.haul.api.HaulException;
import io.haul.api.migration.MigrationError;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.Outcome;
import io.haul.api.plugin.PluginKind;
import io.haul.criu.hold.CriuHold;
import io.haul.host.linux.ErrnoException;
import io.haul.host.net.FrameDrop;
import io.haul.host.proc.ProcessTree;
import io.haul.host.proc.TaskStat;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles the migrations a previous run of this agent left in flight. As the source: before the commit point
 * CRIU resumed the tree when it lost us, so the migration rolled back; from the commit point on it succeeded.
 * As the destination: a restored tree kept stopped (or still held by CRIU at post-restore) runs if the record
 * passed the commit point, else it is killed and the rollback recorded.
 */
final class Recovery implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    private static final Duration LEFT_STOPPED_WITHIN = Duration.ofSeconds(10);

    /** How often a migration waiting for its other agent is looked at again. */
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final MigrationContext context;
    /** Migrations whose other agent has not put its records back into the cluster yet: settled when it has. */
    private final Set<String> waiting = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("haul-recovery").factory());

    /**
     * When this agent started: a migration that started later is this run's own, never recovery's, though it is in
     * flight too while recovery still waits for another agent (chaos: a migration started meanwhile was rolled back
     * within a second, "this agent restarted before its commit point").
     */
    private final java.time.Instant begun;

    Recovery(MigrationContext context) {
        this.context = context;
        this.begun = context.clock().instant();
    }

    /**
     * Settles what can be settled now and, in the background, the rest as their other agents come back: after every
     * agent stopped, the newest version of a record (its commit point) may be on the other agent's disk only.
     */
    void settle() {
        settleNow();
        if (!waiting.isEmpty()) {
            retries.scheduleWithFixedDelay(this::settleWaiting, RETRY.toMillis(), RETRY.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    private void settleNow() {
        settleInFlight();
        settleHeldRestores();
        dropLeftoverImages();
        liftLeftoverFrameDrops();
    }

    /**
     * The frame drops a previous run of this agent left on this host's bridges (killed while a restored copy waited
     * for the commit point): each goes once no restore of its migration is held here any more (a runtime's hold
     * that waits on keeps its copy silent).
     */
    private void liftLeftoverFrameDrops() {
        List<String> held = CriuHold.heldRestores().stream().map(id -> id.replace("-", "")
                .toUpperCase(java.util.Locale.ROOT)).toList();
        for (String drop : FrameDrop.leftovers()) {
            if (held.stream().noneMatch(id -> id.startsWith(drop))) {
                FrameDrop.remove(drop);
                LOG.info("lifted the frame drop HAUL-HOLD-{} a previous run of this agent left", drop);
            }
        }
    }

    private void settleWaiting() {
        try {
            settleNow();
            if (waiting.isEmpty()) {
                retries.shutdown();
            }
        } catch (RuntimeException e) {
            LOG.error("settling the migrations left in flight failed; trying again: {}", e.toString());
        }
    }

    /**
     * Whether the record may decide now: the migration's other agent has put its own copies back into the cluster.
     * Until then the migration waits, each copy as it was (the source's tree running, CRIU having resumed it; the
     * destination's restored copy held or stopped): exactly one runs.
     */
    private boolean mayDecide(MigrationRecord record) {
        String other = record.destination().equals(context.agentName()) ? record.source() : record.destination();
        if (context.store().recordsLoaded(other)) {
            if (waiting.remove(record.id())) {
                LOG.info("migration {}: agent {} is back with its records; settling it now", record.id(), other);
            }
            return true;
        }
        if (waiting.add(record.id())) {
            LOG.warn("migration {} was in flight when this agent stopped: waiting for agent {} to rejoin the cluster, "
                    + "whose disk may hold the record's newest state (its commit point)", record.id(), other);
        }
        return false;
    }

    @Override
    public void close() {
        retries.shutdownNow();
    }

    /**
     * Restores a runtime (Docker, runc) still holds for migrations to this agent, left by its previous run (the
     * engine's own held restores are settled with their migration, above): the
     * record decides, as the source may have passed the commit point and killed its copy. A hold without a
     * record waits on until its hook's limit undoes it.
     */
    private void settleHeldRestores() {
        for (String id : CriuHold.heldRestores()) {
            Optional<MigrationRecord> stored = context.store().get(id);
            if (stored.isEmpty() || !stored.get().destination().equals(context.agentName())) {
                if (stored.isEmpty()) {
                    LOG.warn("migration {}: a restore is held here but the cluster has no record of it; its hold's"
                            + " limit will undo it", id);
                }
                continue; // another agent's on this machine, or unknown
            }
            MigrationRecord record = stored.get();
            if (record.outcome() == Outcome.IN_PROGRESS && !mayDecide(record)) {
                continue;
            }
            boolean go = CommitPoint.passed(record);
            try {
                if (CriuHold.decide(id, go)) {
                    LOG.warn("migration {}: {} the restore its runtime held here across this agent's restart", id,
                            go ? "resumed (commit point passed)" : "undid (rolled back)");
                }
            } catch (HaulException e) {
                LOG.error("migration {}: cannot settle the restore held here: {}", id, e.getMessage());
            }
        }
    }

    /**
     * Images of migrations that ended while this agent was away (the other side settled them without it) are of no
     * use any more: a restarted agent keeps no copy of a container it does not run. A copy it restored for one is
     * the container if the migration passed its commit point (the source, settling it first, killed its own), so
     * it runs; else it goes.
     */
    private void dropLeftoverImages() {
        try (var folders = java.nio.file.Files.list(context.migrationsDir())) {
            folders.filter(folder -> java.nio.file.Files.isDirectory(folder.resolve("images"))).forEach(folder -> {
                String id = folder.getFileName().toString();
                Optional<MigrationRecord> record = context.store().get(id);
                if (record.map(r -> r.outcome() == Outcome.IN_PROGRESS).orElse(false)) {
                    return;
                }
                Workspace workspace = new Workspace(context.migrationsDir(), id);
                record.filter(r -> r.destination().equals(context.agentName()))
                        .ifPresent(r -> settleRestoredCopy(id, workspace, CommitPoint.passed(r), true));
                // the destination voided the commit while this agent was away (its copy lost before it ran)
                record.filter(r -> r.source().equals(context.agentName()) && !CommitPoint.passed(r))
                        .ifPresent(r -> resumeSourceTree(id));
                workspace.dropImages();
                LOG.info("dropped the images of migration {}, which ended while this agent was away", id);
            });
        } catch (java.io.IOException e) {
            // no migrations folder yet: nothing left over
        }
    }

    private void settleInFlight() {
        for (MigrationRecord record : context.store().inFlight(context.agentName())) {
            if ((record.started() != null && !record.started().isBefore(begun)) || !mayDecide(record)) {
                continue;
            }
            try {
                if (record.destination().equals(context.agentName())) {
                    settleAsDestination(record);
                } else {
                    settleAsSource(record);
                }
            } catch (RuntimeException e) {
                LOG.error("could not settle migration {} left in flight: {}", record.id(), e.toString());
            }
        }
    }

    private void settleAsSource(MigrationRecord record) {
        boolean committed = CommitPoint.passed(record);
        if (committed && !write(record, Outcome.SUCCEEDED, "the source agent restarted after the commit point")) {
            // the destination may have voided the commit meanwhile, its copy lost before it ran (CommitPoint)
            committed = context.store().get(record.id()).map(CommitPoint::passed).orElse(true);
        }
        if (!committed) {
            if (write(record, Outcome.ROLLED_BACK, "the source agent restarted before the commit point; "
                    + "CRIU resumed the tree there")) {
                LOG.warn("migration {} rolled back: this agent restarted before its commit point", record.id());
            }
            resumeSourceTree(record.id());
        } else {
            LOG.warn("migration {} had passed its commit point when this agent stopped: the destination is the "
                    + "container", record.id());
            // CRIU lets go of a dumped tree whose agent vanished before it could let CRIU finish (the commit's
            // SIGSTOP keeps it stopped): kill that copy
            SourceTree.parse(new Workspace(context.migrationsDir(), record.id()).recall("source.root"))
                    .filter(SourceTree::stillRuns)
                    .ifPresent(tree -> {
                        ProcessTree.kill(tree.rootPid());
                        LOG.warn("migration {}: killed the source copy {} that CRIU let go of after the commit point "
                                + "(stopped since)",
                                record.id(), tree.rootPid());
                    });
            forgetMovedAway(record);
        }
        new Workspace(context.migrationsDir(), record.id()).dropImages();
    }

    /**
     * What this host still keeps of a container that moved while this agent was away: the runtime's stopped copy
     * (chaos cells source-agent AFTER_COMMIT, Docker and runc: `docker ps -a` still listed it) and the dump's hold
     * folder the dead agent left.
     */
    private void forgetMovedAway(MigrationRecord record) {
        SourceTree.parse(new Workspace(context.migrationsDir(), record.id()).recall("source.root"))
                .filter(tree -> CriuHold.removeLeftDumpHold(tree.rootPid()))
                .ifPresent(tree -> LOG.info("migration {}: removed the dump hold of pid {} left by this agent's last run",
                        record.id(), tree.rootPid()));
        String backend = record.container().backend();
        try (var lease = context.plugins().lease(PluginKind.BACKEND, backend).orElse(null)) {
            if (lease == null) {
                LOG.warn("migration {}: no '{}' backend to forget {} here, which moved", record.id(), backend,
                        record.container());
                return;
            }
            lease.service().movedAway(record.container().id());
        } catch (HaulException e) {
            LOG.warn("migration {}: {} moved, but the backend could not forget its copy here: {}", record.id(),
                    record.container(), e.getMessage());
        }
    }

    /**
     * The source tree of a migration that did not pass (or voided) its commit point runs on: this agent may have died
     * between the commit's SIGSTOP (SourceCommit) and the outcome, the tree left stopped behind CRIU's hold.
     */
    private void resumeSourceTree(String id) {
        SourceTree.parse(new Workspace(context.migrationsDir(), id).recall("source.root"))
                .filter(SourceTree::stillRuns)
                .ifPresent(tree -> {
                    try {
                        ProcessTree.resume(tree.rootPid());
                    } catch (ErrnoException e) {
                        LOG.error("migration {}: cannot resume the source tree {}: {}", id, tree.rootPid(),
                                e.getMessage());
                    }
                });
    }

    private void settleAsDestination(MigrationRecord record) {
        Workspace workspace = new Workspace(context.migrationsDir(), record.id());
        boolean committed = CommitPoint.passed(record);
        if (!committed && !write(record, Outcome.ROLLED_BACK,
                "the destination agent restarted before the commit point")) {
            committed = context.store().get(record.id()).map(CommitPoint::passed).orElse(false);
        }
        boolean wasHeld = decideHeldRestore(record.id(), committed);
        settleRestoredCopy(record.id(), workspace, committed, wasHeld);
        workspace.dropImages();
    }

    /**
     * The tree this agent restored for a migration, if it recorded one: resumed when the migration passed its
     * commit point (once CRIU, if it still held the restore, has left every task stopped), else killed.
     */
    private void settleRestoredCopy(String id, Workspace workspace, boolean committed, boolean mayStillStop) {
        String pid = workspace.recall("restored.pid");
        if (pid.isEmpty()) {
            return;
        }
        long root = Long.parseLong(pid);
        if (committed) {
            if (mayStillStop) {
                awaitLeftStopped(root); // else CRIU's SIGSTOP at its end could come after our SIGCONT
            }
            try {
                ProcessTree.resume(root);
            } catch (ErrnoException e) {
                LOG.error("migration {}: cannot resume restored tree {}: {}", id, root, e.getMessage());
            }
            LOG.warn("migration {}: resumed restored tree {} after a restart (commit point passed)", id, root);
        } else {
            ProcessTree.kill(root);
            LOG.warn("migration {}: killed restored tree {} after a restart (rolled back)", id, root);
        }
    }

    /**
     * The engine's restore of this migration, if CRIU still holds it at post-restore: the record's verdict lets
     * it finish (the tasks then left stopped) or undo it. Returns whether a hold was there.
     */
    private static boolean decideHeldRestore(String id, boolean go) {
        try {
            return CriuHold.decide(id, go);
        } catch (HaulException e) {
            LOG.error("migration {}: cannot settle the restore held here: {}", id, e.getMessage());
            return false;
        }
    }

    /** Until every task of the tree is stopped (CRIU's leave_stopped), a gone one counting, or 10 s passed. */
    private static void awaitLeftStopped(long root) {
        long deadline = System.nanoTime() + LEFT_STOPPED_WITHIN.toNanos();
        while (!ProcessTree.processes(root).stream().allMatch(Recovery::stoppedOrGone)
                && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(10); // another process's stop has no event we can wait on (it is not our child)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static boolean stoppedOrGone(long pid) {
        return TaskStat.read(pid).map(TaskStat::stopped).orElse(true);
    }

    private boolean write(MigrationRecord record, Outcome outcome, String why) {
        MigrationError error = outcome == Outcome.SUCCEEDED ? record.error()
                : new MigrationError(record.phase(), "agent.restarted", why, "");
        return context.store().replace(record, record.ending(outcome, error, context.clock().instant()));
    }
}
