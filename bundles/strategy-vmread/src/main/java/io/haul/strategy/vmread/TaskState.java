package io.haul.strategy.vmread;

import io.haul.host.proc.Mapping;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * What the strategy remembers of one process (thread group) between rounds: a fingerprint per page of each
 * mapping it copies, 8 bytes per 4 KiB page (0.2% of the memory), 0 for a page never offered.
 */
final class TaskState {

    /** One copied mapping and the fingerprint of each of its pages as last offered. */
    static final class Region {
        final long start;
        final long end;
        final long[] fingerprints;

        Region(long start, long end, long[] fingerprints) {
            this.start = start;
            this.end = end;
            this.fingerprints = fingerprints;
        }

        int index(long address) {
            return (int) ((address - start) / VmReadPreCopy.PAGE);
        }
    }

    private static final Region[] NONE = new Region[0];

    final int tgid;
    /** The process's start time (clock ticks after boot): a pid reused by a new process starts afresh. */
    final long startTime;
    /** Whether the soft-dirty bits of this process were cleared after a full read, so they now mean something. */
    boolean softDirtyTracked;
    private Region[] regions = NONE;

    TaskState(int tgid, long startTime) {
        this.tgid = tgid;
        this.startTime = startTime;
    }

    Region[] regions() {
        return regions;
    }

    /**
     * Takes this round's mappings (sorted, not overlapping, as the kernel lists them): fingerprints of the
     * addresses that stay mapped are kept, whatever merges, splits or growth happened in between; new
     * addresses start at 0 (never offered). A mapping replaced by another at the same address keeps the old
     * fingerprints, which is harmless: an equal fingerprint means equal content (see {@link PageHash}).
     */
    void remap(List<Mapping> mappings) {
        Region[] old = regions;
        Region[] next = new Region[mappings.size()];
        int j = 0;
        for (int i = 0; i < next.length; i++) {
            Mapping m = mappings.get(i);
            while (j < old.length && old[j].end <= m.start()) {
                j++;
            }
            if (j < old.length && old[j].start == m.start() && old[j].end == m.end()) {
                next[i] = old[j];
                continue;
            }
            long pages = CopiedMappings.pages(m);
            if (pages > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("mapping of " + pages + " pages at 0x" + Long.toHexString(m.start()));
            }
            long[] fingerprints = new long[(int) pages];
            for (int k = j; k < old.length && old[k].start < m.end(); k++) {
                long from = Math.max(old[k].start, m.start());
                long to = Math.min(old[k].end, m.end());
                if (from < to) {
                    System.arraycopy(old[k].fingerprints, old[k].index(from), fingerprints,
                            (int) ((from - m.start()) / VmReadPreCopy.PAGE), (int) ((to - from) / VmReadPreCopy.PAGE));
                }
            }
            next[i] = new Region(m.start(), m.end(), fingerprints);
        }
        regions = next;
    }

    /** The thread group (process) of a task id, or empty when it is gone. */
    static OptionalLong tgid(long tid) throws IOException {
        try {
            // Latin-1: the command name in there may be any bytes
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(tid), "status"),
                    StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("Tgid:")) {
                    return OptionalLong.of(Long.parseLong(line.substring(5).strip()));
                }
            }
            return OptionalLong.empty();
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
    }

    /** Field 22 of {@code /proc/PID/stat}, or empty when the process is gone. */
    static OptionalLong startTime(long pid) throws IOException {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"),
                    StandardCharsets.ISO_8859_1);
            // the command (field 2) is in parentheses and may hold anything, ')' included: fields go on after the last
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return OptionalLong.of(Long.parseLong(rest[22 - 3]));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
    }
}
