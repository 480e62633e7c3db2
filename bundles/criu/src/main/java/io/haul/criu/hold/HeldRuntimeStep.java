package io.haul.criu.hold;

import io.haul.api.HaulException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A runtime's call (checkpoint, start from a checkpoint) that CRIU holds in the hook until a verdict: going on
 * lets the call succeed, undoing makes it fail. Either way the call is waited for before the hold's folder goes.
 */
public final class HeldRuntimeStep {

    private final CriuHold hold;
    private final CompletableFuture<Void> call;
    private final long limitSeconds;
    private final String what;
    private CriuHold.Reached reached;
    private boolean ended;

    private HeldRuntimeStep(CriuHold hold, CompletableFuture<Void> call, long limitSeconds, String what) {
        this.hold = hold;
        this.call = call;
        this.limitSeconds = limitSeconds;
        this.what = what;
    }

    /**
     * Runs the runtime's call beside the caller and returns once CRIU is held in it. When the call ends first
     * (the runtime failed before the hold), throws with the runtime's own error under {@code code}.
     */
    public static HeldRuntimeStep begin(CriuHold hold, Executor executor, RuntimeCalls.Call<?> runtimeCall,
            long limitSeconds, String code, String what) throws HaulException {
        HeldRuntimeStep step = new HeldRuntimeStep(hold, RuntimeCalls.inBackground(executor, runtimeCall),
                limitSeconds, what);
        try {
            step.reached = hold.awaitReached(step.call);
            return step;
        } catch (HaulException notReached) {
            try {
                RuntimeCalls.await(step.call, limitSeconds, code, what + " failed");
            } catch (HaulException runtimeError) {
                step.undo();
                throw runtimeError;
            }
            step.undo();
            throw notReached;
        }
    }

    /** Where the hook said CRIU is held: the container's init pid on this host and CRIU's image folder. */
    public CriuHold.Reached reached() {
        return reached;
    }

    /** The CRIU that holds the step (the runtime's own), as far as it can be found. */
    public List<Long> holders() {
        return hold.holders();
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
