package io.haul.host.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.haul.host.KernelFeature;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Soft-dirty tracking, tried on a page of our own: a kernel built without CONFIG_MEM_SOFT_DIRTY still accepts
 * the clear_refs write and still serves pagemap, it just never sets bit 55. So only a clear, write, look
 * cycle tells the truth; config files may be absent or describe another kernel.
 */
final class SoftDirtyProbe {

    static final long PAGE = 4096;
    static final long SOFT_DIRTY_BIT = 1L << 55;
    static final long PRESENT_BIT = 1L << 63;

    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");
    private static final Path PAGEMAP = Path.of("/proc/self/pagemap");
    // clear_refs resets the whole process: two probes at once could clear each other's page between write and look
    private static final ReentrantLock ONE_AT_A_TIME = new ReentrantLock();

    private final Supplier<String> criuVerdict;

    /** @param criuVerdict CRIU's own opinion (one line) to add to the detail, or null for none */
    SoftDirtyProbe(Supplier<String> criuVerdict) {
        this.criuVerdict = criuVerdict;
    }

    KernelFeature probe() {
        KernelFeature own = probeOwnPage();
        String criu = criuVerdict == null ? null : criuVerdict.get();
        return criu == null ? own
                : new KernelFeature(own.name(), own.present(), own.detail() + "; criu check --feature mem_dirty_track " + criu);
    }

    private KernelFeature probeOwnPage() {
        ONE_AT_A_TIME.lock();
        try (Arena arena = Arena.ofConfined(); FileChannel pagemap = FileChannel.open(PAGEMAP)) {
            MemorySegment page = arena.allocate(PAGE, PAGE);
            page.set(JAVA_BYTE, 0, (byte) 1); // fault it in, so it has a page table entry
            try {
                Files.write(CLEAR_REFS, new byte[] {'4'}, StandardOpenOption.WRITE);
            } catch (IOException e) {
                return missing("writing 4 to " + CLEAR_REFS + " failed: " + e);
            }
            long cleared = entry(pagemap, page.address());
            page.set(JAVA_BYTE, 1, (byte) 2);
            long written = entry(pagemap, page.address());
            if ((written & PRESENT_BIT) == 0) {
                return missing(String.format("pagemap entry of our page 0x%x is not present (0x%016x)",
                        page.address(), written));
            }
            boolean clearedBit = (cleared & SOFT_DIRTY_BIT) != 0;
            boolean writtenBit = (written & SOFT_DIRTY_BIT) != 0;
            String seen = String.format("pagemap bit 55 of page 0x%x: %d after clear_refs 4, %d after a write",
                    page.address(), clearedBit ? 1 : 0, writtenBit ? 1 : 0);
            if (writtenBit && !clearedBit) {
                return new KernelFeature(KernelFeature.SOFT_DIRTY, true, seen);
            }
            if (writtenBit) {
                return missing(seen + " (clear_refs did not clear it)");
            }
            return missing(seen + " (kernel without CONFIG_MEM_SOFT_DIRTY)");
        } catch (IOException e) {
            return missing("reading " + PAGEMAP + " failed: " + e);
        } finally {
            ONE_AT_A_TIME.unlock();
        }
    }

    /** The 64-bit pagemap entry of the page holding {@code address}. */
    static long entry(FileChannel pagemap, long address) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        long position = (address / PAGE) * 8;
        while (buffer.hasRemaining()) {
            if (pagemap.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("pagemap ended at " + (position + buffer.position()));
            }
        }
        return buffer.getLong(0);
    }

    private static KernelFeature missing(String why) {
        return new KernelFeature(KernelFeature.SOFT_DIRTY, false, why);
    }
}
