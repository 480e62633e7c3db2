package io.haul.host.internal;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.haul.host.KernelFeature;
import io.haul.host.linux.ErrnoException;
import io.haul.host.linux.Syscalls;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * userfaultfd, the base of a restore-side post-copy service. Called rather than looked up: the syscall can
 * exist yet be refused (EPERM for unprivileged callers, or a seccomp filter in a container).
 */
final class UserfaultfdProbe {

    /** _IOWR(0xAA, 0x3F, struct uffdio_api { u64 api, features, ioctls; }) */
    static final long UFFDIO_API = 0xC018AA3FL;
    static final long UFFD_API = 0xAA;
    private static final Path UNPRIVILEGED = Path.of("/proc/sys/vm/unprivileged_userfaultfd");

    KernelFeature probe() {
        String sysctl = sysctl();
        int fd;
        try {
            fd = Syscalls.userfaultfd(Syscalls.O_CLOEXEC | Syscalls.O_NONBLOCK);
        } catch (ErrnoException e) {
            return new KernelFeature(KernelFeature.USERFAULTFD, false,
                    "userfaultfd(O_CLOEXEC|O_NONBLOCK) failed: " + e.errnoName() + sysctl);
        }
        try {
            return new KernelFeature(KernelFeature.USERFAULTFD, true,
                    "userfaultfd(O_CLOEXEC|O_NONBLOCK) gave a descriptor" + api(fd) + sysctl);
        } finally {
            try {
                Syscalls.close(fd);
            } catch (ErrnoException e) {
                // a descriptor we just got cannot fail to close in a way we could act on
            }
        }
    }

    // The UFFDIO_API handshake reports which fault kinds (missing, write-protect, minor...) the kernel offers.
    private static String api(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment api = arena.allocate(24, 8);
            api.set(JAVA_LONG, 0, UFFD_API);
            Syscalls.ioctl(fd, UFFDIO_API, api);
            return String.format(", UFFDIO_API features 0x%x", api.get(JAVA_LONG, 8));
        } catch (ErrnoException e) {
            return ", UFFDIO_API failed: " + e.errnoName();
        }
    }

    private static String sysctl() {
        try {
            return "; vm.unprivileged_userfaultfd=" + Files.readString(UNPRIVILEGED).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
