package io.haul.host.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SyscallsTest {

    private static final int SELF = (int) ProcessHandle.current().pid();

    @Test
    void readsAKnownPatternFromAProcess() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment source = arena.allocate(10_000);
            byte[] pattern = new byte[10_000];
            for (int i = 0; i < pattern.length; i++) {
                pattern[i] = (byte) (i * 31 + 7);
            }
            MemorySegment.copy(pattern, 0, source, JAVA_BYTE, 0, pattern.length);
            MemorySegment into = arena.allocate(10_000);

            long read = Syscalls.processVmReadv(SELF, source.address(), into);

            assertEquals(pattern.length, read);
            assertArrayEquals(pattern, into.toArray(JAVA_BYTE));
        }
    }

    @Test
    void readsScatteredRangesBackToBack() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment source = arena.allocate(300);
            for (int i = 0; i < 300; i++) {
                source.set(JAVA_BYTE, i, (byte) i);
            }
            MemorySegment into = arena.allocate(20);
            long[] addresses = {source.address() + 10, source.address() + 200};
            long[] lengths = {5, 15};

            long read = Syscalls.processVmReadv(SELF, addresses, lengths, 2, into);

            assertEquals(20, read);
            assertEquals(10, into.get(JAVA_BYTE, 0));
            assertEquals(14, into.get(JAVA_BYTE, 4));
            assertEquals((byte) 200, into.get(JAVA_BYTE, 5));
            assertEquals((byte) 214, into.get(JAVA_BYTE, 19));
        }
    }

    @Test
    void aProcessThatDoesNotExistIsEsrch() throws Exception {
        int pidMax = Integer.parseInt(Files.readString(Path.of("/proc/sys/kernel/pid_max")).strip());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment into = arena.allocate(16);

            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> Syscalls.processVmReadv(pidMax + 1, 0x10000, into));

            assertEquals(Errno.ESRCH, e.errno());
            assertEquals("ESRCH", e.errnoName());
            assertTrue(e.getMessage().contains("ESRCH"), e.getMessage());
            assertTrue(e.getMessage().contains("process_vm_readv"), e.getMessage());
        }
    }

    @Test
    void anUnmappedAddressIsEfault() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment into = arena.allocate(16);

            ErrnoException e = assertThrows(ErrnoException.class, () -> Syscalls.processVmReadv(SELF, 8, into));

            assertEquals("EFAULT", e.errnoName());
        }
    }

    @Test
    void refusesHeapSegmentsTheKernelCannotWriteTo() {
        assertThrows(IllegalArgumentException.class,
                () -> Syscalls.processVmReadv(SELF, 0x10000, MemorySegment.ofArray(new byte[8])));
    }

    @Test
    void userfaultfdGivesADescriptorThatCloses() throws Exception {
        int fd;
        try {
            fd = Syscalls.userfaultfd(Syscalls.O_CLOEXEC | Syscalls.O_NONBLOCK);
        } catch (ErrnoException e) {
            // refused here (EPERM without privilege, ENOSYS without the syscall): still a proper errno
            assertTrue(e.errnoName().startsWith("E"), e.getMessage());
            return;
        }
        assertTrue(fd >= 0);
        Syscalls.close(fd);
        ErrnoException twice = assertThrows(ErrnoException.class, () -> Syscalls.close(fd));
        assertEquals(Errno.EBADF, twice.errno());
    }

    @Test
    void pageSizeIsAPowerOfTwo() {
        long page = Syscalls.pageSize();
        assertTrue(page >= 4096 && Long.bitCount(page) == 1, "page size " + page);
    }
}
