package io.haul.docker.hold;

import io.haul.api.HaulException;
import java.util.concurrent.CompletableFuture;

/**
 * A runtime's call (checkpoint, start from a checkpoint) that CRIU holds in the hook until a verdict: going on
 * lets the call succeed, undoing makes it fail. Either way the call is waited for before the hold's folder goes.
 */
public final class HeldRuntimeStep {

    private final CriuHold hold;
    private final CompletableFuture<Void> call;
    private final long limitSeconds;
    private final String what;
    private boolean ended;

    public HeldRuntimeStep(CriuHold hold, CompletableFuture<Void> call, long limitSeconds, String what) {
        this.hold = hold;
        this.call = call;
        this.limitSeconds = limitSeconds;
        this.what = what;
    }

    /** The hold said go: the runtime's call must now succeed. */
    public synchronized void goOn(String code) throws HaulException {
        if (ended) {
            throw new HaulException(code, what + " was already undone");
        }
        ended = true;
        hold.release(true);
        try {
            RuntimeCalls.await(call, limitSeconds, code, what + " did not finish");
        } finally {
            hold.close();
        }
    }

    /** CRIU undoes its step (a dump resumes the tasks, a restore kills them); the call's failure is expected. */
    public synchronized void undo() {
        if (ended) {
            return;
        }
        ended = true;
        hold.release(false);
        try {
            RuntimeCalls.await(call, limitSeconds, "undo", what);
        } catch (HaulException expected) {
            // the runtime reports the step CRIU undid as failed
        } finally {
            hold.close();
        }
    }
}
