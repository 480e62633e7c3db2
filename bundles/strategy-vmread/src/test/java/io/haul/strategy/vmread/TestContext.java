package io.haul.strategy.vmread;

import io.haul.api.strategy.PageSink;
import io.haul.api.strategy.PreCopyContext;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/** Test glue: the engine's side of a pre-copy, with the pids, sink and cancel flag a test sets. */
final class TestContext implements PreCopyContext {

    final AtomicBoolean cancelled = new AtomicBoolean();
    private final Supplier<List<Long>> pids;
    private final PageSink sink;

    TestContext(Supplier<List<Long>> pids, PageSink sink) {
        this.pids = pids;
        this.sink = sink;
    }

    @Override
    public long rootPid() {
        return pids.get().getFirst();
    }

    @Override
    public List<Long> pids() {
        return pids.get();
    }

    @Override
    public PageSink sink() {
        return sink;
    }

    @Override
    public boolean cancelled() {
        return cancelled.get();
    }
}
