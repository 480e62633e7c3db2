package io.haul.backend.process;

import io.haul.api.HaulException;
import io.haul.api.backend.CriuSourceSession;
import io.haul.api.backend.SourcePlan;
import io.haul.api.criu.CriuOptions;
import io.haul.api.criu.CriuOptions.Flag;

/**
 * A process tree's migration on the source: the engine dumps it with its own CRIU. The session leader is inside
 * the tree (the checks refuse it otherwise), so it is no shell job; its TCP connections and file locks are its
 * state and move with it.
 */
final class ProcessSource implements CriuSourceSession {

    private final ProcessBackend backend;
    private final String id;

    ProcessSource(ProcessBackend backend, String id) {
        this.backend = backend;
        this.id = id;
    }

    @Override
    public SourcePlan check() throws HaulException {
        return backend.check(id);
    }

    @Override
    public CriuOptions dumpOptions() {
        return CriuOptions.of(Flag.TCP_ESTABLISHED, Flag.FILE_LOCKS);
    }
}
