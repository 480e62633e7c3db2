package io.haul.host.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.haul.host.KernelFeature;
import io.haul.host.linux.Errno;
import io.haul.host.linux.ErrnoException;
import io.haul.host.linux.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The PAGEMAP_SCAN ioctl (Linux 6.7+), which reports page state for whole ranges in one call instead of eight
 * bytes per page through read(). Issued for real on a page of our own, since distributions backport ioctls
 * and a version number would mislead either way.
 */
final class PagemapScanProbe {

    /** sizeof(struct pm_scan_arg): twelve u64 fields. */
    static final long ARG_SIZE = 96;
    /** _IOWR('f', 16, struct pm_scan_arg) */
    static final long PAGEMAP_SCAN = 0xC0000000L | (ARG_SIZE << 16) | ('f' << 8) | 16;
    static final long PAGE_IS_PRESENT = 1L << 3;
    /** sizeof(struct page_region { u64 start, end, categories; }) */
    static final long REGION_SIZE = 24;

    KernelFeature probe() {
        int fd;
        try {
            fd = Syscalls.open("/proc/self/pagemap", Syscalls.O_RDONLY | Syscalls.O_CLOEXEC);
        } catch (ErrnoException e) {
            return new KernelFeature(KernelFeature.PAGEMAP_SCAN, false, e.getMessage());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = arena.allocate(SoftDirtyProbe.PAGE, SoftDirtyProbe.PAGE);
            page.set(JAVA_BYTE, 0, (byte) 1);
            MemorySegment region = arena.allocate(REGION_SIZE, 8);
            MemorySegment arg = arena.allocate(ARG_SIZE, 8);
            arg.set(JAVA_LONG, 0, ARG_SIZE);                            // size
            arg.set(JAVA_LONG, 16, page.address());                     // start
            arg.set(JAVA_LONG, 24, page.address() + SoftDirtyProbe.PAGE); // end
            arg.set(JAVA_LONG, 40, region.address());                   // vec
            arg.set(JAVA_LONG, 48, 1);                                  // vec_len
            arg.set(JAVA_LONG, 88, PAGE_IS_PRESENT);                    // return_mask
            int regions = Syscalls.ioctl(fd, PAGEMAP_SCAN, arg);
            boolean present = regions == 1 && (region.get(JAVA_LONG, 16) & PAGE_IS_PRESENT) != 0;
            String detail = String.format("ioctl PAGEMAP_SCAN on /proc/self/pagemap over our page 0x%x: %d region(s)%s",
                    page.address(), regions, present ? ", PAGE_IS_PRESENT" : "");
            return present ? new KernelFeature(KernelFeature.PAGEMAP_SCAN, true, detail)
                    : new KernelFeature(KernelFeature.PAGEMAP_SCAN, false, detail + " (expected our touched page)");
        } catch (ErrnoException e) {
            String why = e.errno() == Errno.ENOTTY ? " (kernel older than 6.7 has no PAGEMAP_SCAN)" : "";
            return new KernelFeature(KernelFeature.PAGEMAP_SCAN, false, "ioctl PAGEMAP_SCAN on /proc/self/pagemap: "
                    + e.errnoName() + why);
        } finally {
            try {
                Syscalls.close(fd);
            } catch (ErrnoException e) {
                // nothing to do about a failed close of a read-only descriptor
            }
        }
    }
}
