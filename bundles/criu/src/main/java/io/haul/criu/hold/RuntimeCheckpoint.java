package io.haul.criu.hold;

import io.haul.api.HaulException;
import io.haul.api.backend.HeldCheckpoint;
import java.time.Duration;

/** A runtime's checkpoint held at post-dump: the container's tasks frozen, its images and files in the migration's folder. */
public final class RuntimeCheckpoint implements HeldCheckpoint {

    private final HeldRuntimeStep step;
    private final Duration frozenFor;

    public RuntimeCheckpoint(HeldRuntimeStep step, Duration frozenFor) {
        this.step = step;
        this.frozenFor = frozenFor;
    }

    @Override
    public Duration frozenFor() {
        return frozenFor;
    }

    @Override
    public void commit() throws HaulException {
        step.goOn("criu.dump-failed");
    }

    @Override
    public void abort() {
        step.undo();
    }

    @Override
    public void close() {
        step.undo();
    }
}
