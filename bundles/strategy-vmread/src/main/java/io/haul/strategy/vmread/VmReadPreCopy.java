package io.haul.strategy.vmread;

import io.haul.api.HaulException;
import io.haul.api.strategy.PageSink;
import io.haul.api.strategy.PreCopy;
import io.haul.api.strategy.PreCopyContext;
import io.haul.api.strategy.RoundStats;
import io.haul.host.linux.Errno;
import io.haul.host.linux.ErrnoException;
import io.haul.host.linux.Syscalls;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One migration's pre-copy by process_vm_readv. Each round, for every process (thread group) of the tree:
 *
 * <ol>
 * <li>its private writable mappings from {@code /proc/PID/maps} ({@link CopiedMappings.of()});</li>
 * <li>their pagemap entries, keeping the pages CRIU's dump would hold: present or swapped, and not a page
 *     cache page of a private file mapping that was never written (bit 61); with soft-dirty tracking, and
 *     once a round has read the process whole, only pages whose bit 55 is set. Reading only those also keeps
 *     the strategy from faulting in memory the process never touched;</li>
 * <li>with soft-dirty tracking, {@code clear_refs 4} for the process;</li>
 * <li>those pages read with process_vm_readv, up to {@link Syscalls#IOV_MAX} runs of contiguous pages and
 *     one big reusable native buffer per call; each page fingerprinted ({@link PageHash}) and offered to the
 *     sink only when its fingerprint differs from the one it had when last offered.</li>
 * </ol>
 *
 * The tree keeps running throughout: nothing is frozen, traced or injected. Memory that goes away meanwhile
 * (a mapping unmapped, a process exited) is skipped for the round, never failing it.
 *
 * <p>Not for concurrent use: the engine runs rounds one after the other; the methods are synchronized anyway.
 */
final class VmReadPreCopy implements PreCopy {

    static final long PAGE = 4096;
    /** pagemap bits, see Documentation/admin-guide/mm/pagemap.rst. */
    static final long PM_PRESENT = 1L << 63;
    static final long PM_SWAP = 1L << 62;
    static final long PM_FILE = 1L << 61;
    static final long PM_SOFT_DIRTY = 1L << 55;
    /** 16 MiB: a call copies up to 4096 pages, so the per-call cost vanishes against the copy. */
    static final int DEFAULT_BUFFER = 16 << 20;
    /** pagemap entries read per pread: 512 KiB, the entries of 256 MiB of memory. */
    private static final int PAGEMAP_CHUNK = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(VmReadPreCopy.class);

    private final PreCopyContext context;
    private final PageSink sink;
    private final boolean softDirty;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer;
    private final ByteBuffer hashView;
    private final ByteBuffer offerView;
    private final ByteBuffer pagemapEntries;
    private final PageHash hash = new PageHash();
    private final Map<Long, TaskState> tasks = new HashMap<>();

    // the batch of ranges for the next process_vm_readv call, back to back in the buffer
    private final long[] iovAddress = new long[Syscalls.IOV_MAX];
    private final long[] iovLength = new long[Syscalls.IOV_MAX];
    private final long[] iovOffset = new long[Syscalls.IOV_MAX];
    private final TaskState.Region[] iovRegion = new TaskState.Region[Syscalls.IOV_MAX];
    private int iovCount;
    private long batchBytes;

    // the runs of contiguous pages to read of the current process
    private long[] runStart = new long[256];
    private int[] runPages = new int[256];
    private TaskState.Region[] runRegion = new TaskState.Region[256];
    private int runCount;

    // figures
    private int round;
    private long previousStart = -1;
    private double bandwidth;
    private long scanned;
    private long changed;
    private long sent;
    private long skipped;
    private boolean closed;

    VmReadPreCopy(PreCopyContext context, boolean softDirty, int bufferBytes) {
        if (bufferBytes < PAGE || bufferBytes % PAGE != 0) {
            throw new IllegalArgumentException("buffer of " + bufferBytes + " bytes: a positive multiple of " + PAGE);
        }
        this.context = context;
        this.sink = context.sink();
        this.softDirty = softDirty;
        this.buffer = arena.allocate(bufferBytes, PAGE);
        this.hashView = buffer.asByteBuffer();
        this.offerView = buffer.asByteBuffer().asReadOnlyBuffer();
        this.pagemapEntries = arena.allocate((long) PAGEMAP_CHUNK * 8, 8).asByteBuffer().order(ByteOrder.nativeOrder());
    }

    @Override
    public synchronized RoundStats round() throws HaulException {
        if (closed) {
            throw new IllegalStateException("this pre-copy was closed");
        }
        long started = System.nanoTime();
        int number = ++round;
        long bytesBefore = sink.bytesSent();
        scanned = changed = sent = skipped = 0;
        Set<Long> processes = new LinkedHashSet<>();
        boolean cancelled = false;
        for (long pid : context.pids()) {
            if (context.cancelled()) {
                cancelled = true;
                break;
            }
            OptionalLong tgid = tgid(pid);
            if (tgid.isEmpty() || !processes.add(tgid.getAsLong())) {
                continue; // gone, or a thread of a process read already: threads share its memory
            }
            if (!copy(tgid.getAsLong())) {
                cancelled = true;
                break;
            }
        }
        if (!cancelled) {
            tasks.keySet().retainAll(processes); // forget processes that left the tree
        }
        long elapsed = Math.max(1, System.nanoTime() - started);
        long bytes = sink.bytesSent() - bytesBefore;
        double dirtyRate = previousStart < 0 ? 0 : changed / ((started - previousStart) / 1e9);
        previousStart = started;
        if (bytes > 0) {
            bandwidth = bytes / (elapsed / 1e9); // bytes on the wire per second of this round
        }
        Duration predicted = bandwidth > 0
                ? Duration.ofNanos((long) (changed * PAGE / bandwidth * 1e9))
                : Duration.ZERO;
        RoundStats stats = new RoundStats(number, scanned, changed, sent, bytes, Duration.ofNanos(elapsed),
                dirtyRate, predicted);
        LOG.debug("round {}{}: {} processes, {} pages read, {} changed, {} sent ({} bytes), {} skipped, {} ms",
                number, cancelled ? " (cancelled)" : "", processes.size(), scanned, changed, sent, bytes, skipped,
                elapsed / 1_000_000);
        return stats;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            tasks.clear();
            arena.close();
        }
    }

    private static OptionalLong tgid(long pid) {
        try {
            return TaskState.tgid(pid);
        } catch (IOException | RuntimeException e) {
            LOG.debug("task {} unreadable, skipped: {}", pid, e.toString());
            return OptionalLong.empty();
        }
    }

    /** One process's round. Returns false when the migration was cancelled meanwhile. */
    private boolean copy(long tgid) throws HaulException {
        TaskState state;
        try {
            OptionalLong startTime = TaskState.startTime(tgid);
            if (startTime.isEmpty()) {
                return true;
            }
            state = tasks.get(tgid);
            if (state == null || state.startTime != startTime.getAsLong()) {
                state = new TaskState((int) tgid, startTime.getAsLong());
                tasks.put(tgid, state);
            }
            state.remap(CopiedMappings.of(state.tgid));
            collectRuns(state, softDirty && state.softDirtyTracked);
        } catch (IOException | RuntimeException e) {
            // gone between the listing and now (ENOENT, ESRCH from /proc), or unreadable: the final dump has it
            LOG.debug("process {} skipped this round: {}", tgid, e.toString());
            return true;
        }
        if (softDirty) {
            // Cleared after the pagemap was read and before the pages are: a write from now on sets bit 55 again
            // and is read next round. A write between the pagemap read and this clear is lost to tracking; the
            // final dump's SHA-256 match sends that page then (see PageHash), so the window costs only downtime.
            state.softDirtyTracked = clearRefs(state.tgid);
        }
        try {
            return read(state);
        } catch (ProcessGone e) {
            return true;
        }
    }

    /** The runs of pages to read of every copied mapping of the process, from its pagemap. */
    private void collectRuns(TaskState state, boolean onlyDirty) throws IOException {
        runCount = 0;
        Path path = Path.of("/proc", Integer.toString(state.tgid), "pagemap");
        try (FileChannel pagemap = FileChannel.open(path)) {
            for (TaskState.Region region : state.regions()) {
                long pages = region.fingerprints.length;
                long first = region.start / PAGE;
                for (long done = 0; done < pages; ) {
                    int count = (int) Math.min(PAGEMAP_CHUNK, pages - done);
                    pagemapEntries.clear().limit(count * 8);
                    while (pagemapEntries.hasRemaining()) {
                        if (pagemap.read(pagemapEntries, (first + done) * 8 + pagemapEntries.position()) <= 0) {
                            break; // the mapping shrank meanwhile: the rest counts as absent
                        }
                    }
                    int got = pagemapEntries.position() / 8;
                    for (int k = 0; k < got; k++) {
                        long entry = pagemapEntries.getLong(k * 8);
                        if ((entry & (PM_PRESENT | PM_SWAP)) != 0 && (entry & PM_FILE) == 0
                                && (!onlyDirty || (entry & PM_SOFT_DIRTY) != 0)) {
                            addPage(region.start + (done + k) * PAGE, region);
                        }
                    }
                    done += count;
                }
            }
        }
    }

    private void addPage(long address, TaskState.Region region) {
        int last = runCount - 1;
        if (last >= 0 && runRegion[last] == region && runPages[last] < Integer.MAX_VALUE
                && runStart[last] + runPages[last] * PAGE == address) {
            runPages[last]++;
            return;
        }
        if (runCount == runStart.length) {
            runStart = Arrays.copyOf(runStart, runCount * 2);
            runPages = Arrays.copyOf(runPages, runCount * 2);
            runRegion = Arrays.copyOf(runRegion, runCount * 2);
        }
        runStart[runCount] = address;
        runPages[runCount] = 1;
        runRegion[runCount] = region;
        runCount++;
    }

    private static boolean clearRefs(int tgid) {
        try {
            Files.write(Path.of("/proc", Integer.toString(tgid), "clear_refs"), new byte[] {'4'},
                    StandardOpenOption.WRITE);
            return true;
        } catch (IOException e) {
            LOG.debug("clear_refs of process {} failed, it is read whole next round: {}", tgid, e.toString());
            return false;
        }
    }

    /** Reads the collected runs in batches. Returns false when the migration was cancelled meanwhile. */
    private boolean read(TaskState state) throws HaulException, ProcessGone {
        iovCount = 0;
        batchBytes = 0;
        long capacity = buffer.byteSize();
        for (int r = 0; r < runCount; r++) {
            long address = runStart[r];
            long left = runPages[r];
            while (left > 0) {
                if (iovCount == Syscalls.IOV_MAX || batchBytes == capacity) {
                    if (context.cancelled()) {
                        return false;
                    }
                    flush(state);
                }
                long fit = Math.min(left, (capacity - batchBytes) / PAGE);
                iovAddress[iovCount] = address;
                iovLength[iovCount] = fit * PAGE;
                iovOffset[iovCount] = batchBytes;
                iovRegion[iovCount] = runRegion[r];
                iovCount++;
                batchBytes += fit * PAGE;
                address += fit * PAGE;
                left -= fit;
            }
        }
        if (iovCount > 0) {
            if (context.cancelled()) {
                return false;
            }
            flush(state);
        }
        return true;
    }

    /**
     * Reads the batch with as few calls as it takes. The kernel stops at the first page it cannot read (its
     * mapping was unmapped or changed protection since the listing): the pages before it are taken, the rest
     * of that range is skipped this round, and the ranges after it are read with the next call.
     */
    private void flush(TaskState state) throws HaulException, ProcessGone {
        while (iovCount > 0) {
            long total = 0;
            for (int i = 0; i < iovCount; i++) {
                total += iovLength[i];
            }
            long got;
            try {
                got = Syscalls.processVmReadv(state.tgid, iovAddress, iovLength, iovCount,
                        buffer.asSlice(iovOffset[0], total));
            } catch (ErrnoException e) {
                if (e.errno() == Errno.ESRCH) {
                    throw ProcessGone.INSTANCE; // exited (or a zombie, whose memory is gone)
                }
                if (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES) {
                    LOG.warn("process {} cannot be read ({}): it is left to the final dump", state.tgid,
                            e.getMessage());
                    throw ProcessGone.INSTANCE;
                }
                got = 0; // EFAULT (nothing readable at the first range's start), ENOMEM...: skip that range
            }
            long position = 0;
            int i = 0;
            while (i < iovCount && position + iovLength[i] <= got) {
                take(state, i, iovLength[i] / PAGE);
                position += iovLength[i];
                i++;
            }
            if (i == iovCount) {
                break;
            }
            long partial = (got - position) / PAGE;
            take(state, i, partial);
            skipped += iovLength[i] / PAGE - partial;
            i++;
            int rest = iovCount - i;
            System.arraycopy(iovAddress, i, iovAddress, 0, rest);
            System.arraycopy(iovLength, i, iovLength, 0, rest);
            System.arraycopy(iovOffset, i, iovOffset, 0, rest);
            System.arraycopy(iovRegion, i, iovRegion, 0, rest);
            iovCount = rest;
        }
        iovCount = 0;
        batchBytes = 0;
    }

    /** Fingerprints the first {@code pages} pages read of range {@code i}, and offers those that changed. */
    private void take(TaskState state, int i, long pages) throws HaulException {
        TaskState.Region region = iovRegion[i];
        for (long p = 0; p < pages; p++) {
            int offset = (int) (iovOffset[i] + p * PAGE);
            long address = iovAddress[i] + p * PAGE;
            int index = region.index(address);
            long fingerprint = hash.of(hashView, offset);
            scanned++;
            if (region.fingerprints[index] == fingerprint) {
                continue;
            }
            changed++;
            try {
                // the sink must hash or copy the page before it returns: the buffer is reused right after
                if (sink.offer(state.tgid, address, offerView.slice(offset, (int) PAGE))) {
                    sent++;
                }
            } catch (IOException e) {
                throw new HaulException("precopy.send-failed", "offering page 0x" + Long.toHexString(address)
                        + " of process " + state.tgid + " failed: " + e.getMessage(), e);
            }
            region.fingerprints[index] = fingerprint;
        }
    }

    /** The process went away, or may not be read: the rest of it is skipped this round. */
    private static final class ProcessGone extends Exception {
        private static final long serialVersionUID = 1L;
        static final ProcessGone INSTANCE = new ProcessGone();

        private ProcessGone() {
            super(null, null, false, false);
        }
    }

    /** For tests: how many processes the strategy remembers. */
    synchronized int trackedProcesses() {
        return tasks.size();
    }

    /** For tests: the processes remembered. */
    synchronized List<Long> trackedPids() {
        return List.copyOf(tasks.keySet());
    }
}
