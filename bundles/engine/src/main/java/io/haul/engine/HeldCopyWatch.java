package io.haul.engine;

import io.haul.host.linux.ErrnoException;
import io.haul.host.linux.Sockets;
import io.haul.host.linux.Syscalls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Destination side, from the restore until the verdict: the restored copy waits stopped in the hold of CRIU (or
 * of the runtime's restore), and when what holds it dies (its CRIU killed) the copy's tasks die with it. The
 * source would then pass the commit point and end its own copy: no copy would run (chaos cells destination-criu
 * at RESTORE and before the commit point). This watch waits on a pidfd of the copy's root and, as soon as it
 * ends before the verdict, writes the rollback into the record, which the source's commit cannot pass.
 * A copy that ends after the commit point has passed cannot be helped; that is logged as what it is.
 */
final class HeldCopyWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HeldCopyWatch.class);
    /** How often the waiting thread looks whether the verdict came, between waits on the pidfd. */
    private static final int VERDICT_LOOK_MILLIS = 200;
    private static final int ESRCH = 3;

    private final MigrationContext context;
    private final String id;
    private final long rootPid;
    private volatile boolean verdict;

    private HeldCopyWatch(MigrationContext context, String id, long rootPid) {
        this.context = context;
        this.id = id;
        this.rootPid = rootPid;
    }

    /** Starts watching the held copy whose root is {@code rootPid}; a copy already gone is acted on at once. */
    static HeldCopyWatch start(MigrationContext context, String id, long rootPid) {
        HeldCopyWatch watch = new HeldCopyWatch(context, id, rootPid);
        if (rootPid <= 0) {
            return watch; // a backend that does not know its copy's pid before it runs: nothing to watch
        }
        // a platform thread: poll(2) through FFM would pin a virtual thread's carrier for as long as it waits
        Thread.ofPlatform().daemon().name("haul-held-copy-" + rootPid).start(watch::watch);
        return watch;
    }

    private void watch() {
        int pidfd;
        try {
            pidfd = Syscalls.pidfdOpen(rootPid);
        } catch (ErrnoException e) {
            if (e.errno() == ESRCH) {
                ended(); // the copy's root is gone already
            } else {
                LOG.warn("migration {}: cannot watch the held copy {}: {}", id, rootPid, e.getMessage());
            }
            return;
        }
        try {
            while (!verdict) {
                if (Sockets.pollIn(pidfd, VERDICT_LOOK_MILLIS)) { // a pidfd is readable once its process ended
                    ended();
                    return;
                }
            }
        } catch (ErrnoException e) {
            LOG.warn("migration {}: cannot watch the held copy {}: {}", id, rootPid, e.getMessage());
        } finally {
            Syscalls.closeQuietly(pidfd);
        }
    }

    private void ended() {
        if (verdict) {
            return; // the verdict came first: a rollback's kill, or the container's own end after it ran
        }
        String message = "the restored copy on " + context.agentName() + " (root pid " + rootPid
                + ") ended while it was held for the commit (what held it, CRIU or the runtime's restore, died)";
        if (CommitPoint.rollBackUnlessPassed(context.store(), id, "restore.copy-lost", message,
                context.clock().instant())) {
            LOG.error("migration {}: {}, after the commit point had passed: no copy of the container runs", id,
                    message);
        } else {
            LOG.warn("migration {}: {}; rolled back before the commit point, the source's copy stays", id, message);
        }
    }

    /** The verdict is in (commit or rollback): from now on the copy's end is not this watch's business. */
    @Override
    public void close() {
        verdict = true;
    }
}
