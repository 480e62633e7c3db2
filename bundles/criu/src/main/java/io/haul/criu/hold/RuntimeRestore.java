package io.haul.criu.hold;

import io.haul.api.HaulException;
import io.haul.api.backend.HeldRestore;

/** A container its runtime restored from a checkpoint, its tasks held at post-restore until the commit point. */
public final class RuntimeRestore implements HeldRestore {

    private final HeldRuntimeStep step;
    private final long rootPid;

    public RuntimeRestore(HeldRuntimeStep step, long rootPid) {
        this.step = step;
        this.rootPid = rootPid;
    }

    @Override
    public long rootPid() {
        return rootPid;
    }

    @Override
    public void resume() throws HaulException {
        step.goOn("criu.resume-failed");
    }

    @Override
    public void kill() {
        step.undo();
    }
}
