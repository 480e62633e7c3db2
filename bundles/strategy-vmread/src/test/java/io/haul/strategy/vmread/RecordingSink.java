package io.haul.strategy.vmread;

import io.haul.api.strategy.PageSink;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * Test glue: a sink that sends everything (4096 bytes on the wire per page), counts what it was offered per
 * process, and keeps copies of the pages of the processes it is told to keep.
 */
final class RecordingSink implements PageSink {

    /** A page as offered. */
    record Offered(long pid, long address, byte[] content) {
    }

    /** Called before each offer, e.g. to cancel or to kill a process mid-round. */
    interface Hook {
        void offered(long pid, long address);
    }

    private final LongPredicate keep;
    private final List<Offered> kept = new ArrayList<>();
    private final Map<Long, Long> perPid = new HashMap<>();
    private Hook hook = (pid, address) -> { };
    private long offers;
    private long bytes;

    RecordingSink(LongPredicate keep) {
        this.keep = keep;
    }

    static RecordingSink counting() {
        return new RecordingSink(pid -> false);
    }

    RecordingSink hook(Hook hook) {
        this.hook = hook;
        return this;
    }

    @Override
    public boolean offer(long pid, long address, ByteBuffer page) {
        if (page.remaining() != 4096 || !page.isReadOnly()) {
            throw new AssertionError("a page must be 4096 read-only bytes, got " + page);
        }
        hook.offered(pid, address);
        offers++;
        perPid.merge(pid, 1L, Long::sum);
        if (keep.test(pid)) {
            byte[] copy = new byte[4096];
            page.get(copy);
            kept.add(new Offered(pid, address, copy));
        }
        bytes += 4096;
        return true;
    }

    @Override
    public long bytesSent() {
        return bytes;
    }

    long offers() {
        return offers;
    }

    long offersOf(long pid) {
        return perPid.getOrDefault(pid, 0L);
    }

    List<Offered> kept() {
        return kept;
    }

    void forget() {
        kept.clear();
        perPid.clear();
    }
}
