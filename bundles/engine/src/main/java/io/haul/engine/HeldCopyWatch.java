package io.haul.engine;

import io.haul.api.backend.HeldRestore;
import io.haul.host.linux.ErrnoException;
import io.haul.host.linux.Sockets;
import io.haul.host.linux.Syscalls;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Destination side, from the restore until the verdict: the restored copy waits stopped in the hold of CRIU (or
 * of the runtime's restore). When its tasks end then, or the CRIU that holds them mid-restore dies (its tasks are
 * left stuck in CRIU's restorer), the copy can no longer become the container, and the source would still pass
 * the commit point and end its own copy: no copy would run (chaos cells destination-criu at RESTORE and before
 * the commit point). This watch waits on a pidfd of the copy's root and of each of its holders and, as soon as
 * one ends before the verdict, writes the rollback into the record, which the source's commit cannot pass.
 * A copy lost after the commit point has passed, before it was let run, voids the commit instead
 * ({@link DestinationMigration}).
 */
final class HeldCopyWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HeldCopyWatch.class);
    /** How often a waiting thread looks whether the verdict came, between waits on its pidfd. */
    private static final int VERDICT_LOOK_MILLIS = 200;
    private static final int ESRCH = 3;

    private final MigrationContext context;
    private final String id;
    private final long rootPid;
    private final AtomicBoolean acted = new AtomicBoolean();
    private volatile boolean verdict;
    /** What was lost after the commit point had passed, before the copy was let run. */
    private volatile String lostAfterCommit;

    private HeldCopyWatch(MigrationContext context, String id, long rootPid) {
        this.context = context;
        this.id = id;
        this.rootPid = rootPid;
    }

    /** Starts watching the held copy's root and its holders; one already gone is acted on at once. */
    static HeldCopyWatch start(MigrationContext context, String id, HeldRestore copy) {
        HeldCopyWatch watch = new HeldCopyWatch(context, id, copy.rootPid());
        if (copy.rootPid() > 0) { // a backend that does not know its copy's pid before it runs: nothing to watch
            watch.watch(copy.rootPid(), "its root");
        }
        for (long holder : copy.holders()) {
            watch.watch(holder, "the CRIU that holds it (pid " + holder + ")");
        }
        copy.lost().thenAccept(watch::lost); // its lazy-pages daemon, killed before it filled the memory in
        return watch;
    }

    /** A platform thread per process: poll(2) through FFM would pin a virtual thread's carrier while it waits. */
    private void watch(long pid, String what) {
        Thread.ofPlatform().daemon().name("haul-held-copy-" + pid).start(() -> {
            int pidfd;
            try {
                pidfd = Syscalls.pidfdOpen(pid);
            } catch (ErrnoException e) {
                if (e.errno() == ESRCH) {
                    lost(what + " ended"); // gone already
                } else {
                    LOG.warn("migration {}: cannot watch {} of the held copy: {}", id, what, e.getMessage());
                }
                return;
            }
            try {
                while (!verdict) {
                    if (Sockets.pollIn(pidfd, VERDICT_LOOK_MILLIS)) { // a pidfd is readable once its process ended
                        lost(what + " ended");
                        return;
                    }
                }
            } catch (ErrnoException e) {
                LOG.warn("migration {}: cannot watch {} of the held copy: {}", id, what, e.getMessage());
            } finally {
                Syscalls.closeQuietly(pidfd);
            }
        });
    }

    private void lost(String what) {
        if (verdict || !acted.compareAndSet(false, true)) {
            return; // the verdict came first (a rollback's kill, the container's own end once it ran), or acted
        }
        String message = "the restored copy on " + context.agentName() + " (root pid " + rootPid + ") was lost while"
                + " it was held for the commit: " + what;
        if (CommitPoint.rollBackUnlessPassed(context.store(), id, "restore.copy-lost", message,
                context.clock().instant())) {
            lostAfterCommit = message;
            LOG.warn("migration {}: {}, after the commit point had passed: the commit is void unless the copy runs "
                    + "already", id, message);
        } else {
            LOG.warn("migration {}: {}; rolled back before the commit point, the source's copy stays", id, message);
        }
    }

    /** What the copy lost after the commit point had passed, while it was still held: it must not run then. */
    Optional<String> lostAfterCommit() {
        return Optional.ofNullable(lostAfterCommit);
    }

    /** The verdict is in (a rollback, or the copy runs): from now on the copy's end is not this watch's business. */
    @Override
    public void close() {
        verdict = true;
    }
}
