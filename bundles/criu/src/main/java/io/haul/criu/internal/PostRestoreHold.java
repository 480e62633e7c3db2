package io.haul.criu.internal;

import io.haul.api.HaulException;
import io.haul.criu.hold.CriuHold;
import io.haul.criu.rpc.CriuResp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The end of a restore that CRIU holds at its post-restore script (the hold hook, {@link CriuHold}) until the
 * commit point decides: the tasks are restored but not running, their sockets still in repair mode behind the
 * network lock, so the restored copy answers no peer before it is the container. {@code go} lets CRIU unlock
 * the network and finish (the tasks left stopped), anything else makes it kill what it restored. The hold
 * outlives this agent: if it dies, the hook waits for a restarted agent's verdict from the record, because the
 * source may have passed the commit point already.
 */
final class PostRestoreHold {

    private final CriuHold hold;
    private final CompletableFuture<CriuResp> restore;
    private final RpcSession session;
    private final CriuDirs dirs;
    private boolean closed;

    /**
     * @param hold    the hold the hook reached
     * @param restore CRIU's answer to the RESTORE request, which comes once the hold is released
     * @param session the RPC, open until then
     * @param dirs    the folders CRIU works in, open until then
     */
    PostRestoreHold(CriuHold hold, CompletableFuture<CriuResp> restore, RpcSession session, CriuDirs dirs) {
        this.hold = hold;
        this.restore = restore;
        this.session = session;
        this.dirs = dirs;
    }

    /** The pid of the CRIU that waits in this hold, with the restored tasks still in its restore. */
    long criuPid() {
        return session.pid();
    }

    /** CRIU's answer to a restore, waited for: its failure as CRIU reported it. */
    static CriuResp await(CompletableFuture<CriuResp> answer, Duration within) throws HaulException {
        try {
            return answer.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof HaulException h ? h
                    : new HaulException("criu.restore-failed", "CRIU's restore failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new HaulException("criu.timeout", "CRIU did not answer its restore within " + within.toSeconds()
                    + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HaulException("criu.interrupted", "interrupted while waiting for CRIU's restore");
        }
    }

    Path logFile() {
        return dirs.logFile();
    }

    /** Lets CRIU finish and waits for its answer, which says whether the restore succeeded. */
    synchronized void finish(Duration within) throws HaulException {
        hold.release(true);
        try {
            await(restore, within);
        } finally {
            close();
        }
    }

    /** Makes CRIU undo the restore (it kills the restored tasks) and waits until it has answered. */
    synchronized void undo(Duration within) {
        hold.release(false);
        try {
            await(restore, within);
        } catch (HaulException e) {
            // the failure CRIU reports is the undo we asked for; a CRIU that hangs is killed with the session
        } finally {
            close();
        }
    }

    private void close() {
        if (closed) {
            return;
        }
        closed = true;
        session.close();
        dirs.close();
        hold.close();
    }
}
