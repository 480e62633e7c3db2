package io.haul.host.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

/**
 * Linux calls on memory and file descriptors that the JDK does not offer, through the FFM API ({@link Sockets}
 * and {@link Processes} have the others). Method handles are built once (static finals, so the JIT can inline
 * them); each call allocates only its small iovec/errno scratch in a confined arena. Failures throw
 * {@link ErrnoException} with the errno the call left.
 */
public final class Syscalls {

    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_WRONLY = 1;
    public static final int O_CREAT = 0x40;
    public static final int O_APPEND = 0x400;
    public static final int O_DIRECTORY = 0x10000;
    public static final int O_CLOEXEC = 0x80000;
    private static final int F_DUPFD_CLOEXEC = 1030;
    /** The most iovecs one process_vm_readv call takes (the kernel's UIO_MAXIOV). */
    public static final int IOV_MAX = 1024;

    /** struct iovec { void *iov_base; size_t iov_len; } */
    public static final StructLayout IOVEC =
            MemoryLayout.structLayout(ADDRESS.withName("iov_base"), JAVA_LONG.withName("iov_len"));

    private static final Linker.Option CAPTURE_ERRNO = NativeCalls.CAPTURE_ERRNO;
    private static final long SCRATCH_ALIGN = 8;
    private static final long CAPTURE_SIZE = NativeCalls.CAPTURE_SIZE;

    private static final MethodHandle PROCESS_VM_READV = NativeCalls.downcall("process_vm_readv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG),
            CAPTURE_ERRNO);
    // syscall(long number, ...): the variadic arguments are read as longs by glibc
    private static final MethodHandle SYSCALL_1 = NativeCalls.downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SYSCALL_3 = NativeCalls.downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));
    private static final MethodHandle STATFS = NativeCalls.downcall("statfs",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle CLOSE = NativeCalls.downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle OPEN = NativeCalls.downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL = NativeCalls.downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FCNTL = NativeCalls.downcall("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle MKFIFO = NativeCalls.downcall("mkfifo",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle SYSCONF = NativeCalls.downcall("sysconf",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT));

    private static final long SYS_USERFAULTFD = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> 323;
        case "aarch64", "riscv64" -> 282;
        default -> -1;
    };
    // pidfd_open and pidfd_getfd have one number on every architecture (the unified table, from 5.3 and 5.6)
    private static final long SYS_PIDFD_OPEN = 434;
    private static final long SYS_PIDFD_GETFD = 438;
    private static final long FIONREAD = 0x541B;
    /** struct statfs is 120 bytes on 64-bit Linux; f_type, a long, comes first. */
    private static final long STATFS_SIZE = 120;
    private static final int SC_PAGESIZE = 30;

    private Syscalls() {
    }

    /**
     * Reads {@code into.byteSize()} bytes of process {@code pid}'s memory from {@code remoteAddress} into
     * {@code into} (a native segment, e.g. a slice of a larger buffer) with one process_vm_readv call.
     *
     * @return the bytes read: fewer than asked when the remote range runs into an unmapped page
     * @throws ErrnoException ESRCH (no such process), EPERM (not allowed to trace it), EFAULT (nothing
     *         readable at the address), ENOMEM...
     */
    public static long processVmReadv(int pid, long remoteAddress, MemorySegment into) throws ErrnoException {
        requireNative(into);
        long length = into.byteSize();
        if (length == 0) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment scratch = arena.allocate(CAPTURE_SIZE + 2 * IOVEC.byteSize(), SCRATCH_ALIGN);
            MemorySegment state = scratch.asSlice(0, CAPTURE_SIZE);
            MemorySegment local = scratch.asSlice(CAPTURE_SIZE, IOVEC.byteSize());
            MemorySegment remote = scratch.asSlice(CAPTURE_SIZE + IOVEC.byteSize(), IOVEC.byteSize());
            local.set(ADDRESS, 0, into);
            local.set(JAVA_LONG, 8, length);
            remote.set(JAVA_LONG, 0, remoteAddress);
            remote.set(JAVA_LONG, 8, length);
            long read = (long) PROCESS_VM_READV.invokeExact(state, pid, local, 1L, remote, 1L, 0L);
            if (read < 0) {
                throw new ErrnoException("process_vm_readv(pid " + pid + ", 0x" + Long.toHexString(remoteAddress)
                        + ", " + length + " bytes)", NativeCalls.errno(state));
            }
            return read;
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Reads {@code count} remote ranges (e.g. the dirty pages of a mapping) of process {@code pid} with one
     * process_vm_readv call, back to back into {@code into}, which must hold their total length.
     * The kernel stops at the first range it cannot read: the result then ends inside or before it.
     *
     * @return the bytes read, from the start of {@code into}
     */
    public static long processVmReadv(int pid, long[] remoteAddresses, long[] lengths, int count, MemorySegment into)
            throws ErrnoException {
        requireNative(into);
        Objects.checkFromToIndex(0, count, remoteAddresses.length);
        Objects.checkFromToIndex(0, count, lengths.length);
        if (count > IOV_MAX) {
            throw new IllegalArgumentException("at most " + IOV_MAX + " ranges per call, asked for " + count);
        }
        long total = 0;
        for (int i = 0; i < count; i++) {
            if (lengths[i] < 0) {
                throw new IllegalArgumentException("negative length at " + i);
            }
            total += lengths[i];
        }
        if (total > into.byteSize()) {
            throw new IllegalArgumentException("ranges need " + total + " bytes, the segment has " + into.byteSize());
        }
        if (total == 0) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            long iov = IOVEC.byteSize();
            MemorySegment scratch = arena.allocate(CAPTURE_SIZE + iov * (1 + count), SCRATCH_ALIGN);
            MemorySegment state = scratch.asSlice(0, CAPTURE_SIZE);
            MemorySegment local = scratch.asSlice(CAPTURE_SIZE, iov);
            MemorySegment remote = scratch.asSlice(CAPTURE_SIZE + iov, iov * count);
            local.set(ADDRESS, 0, into);
            local.set(JAVA_LONG, 8, total);
            for (int i = 0; i < count; i++) {
                remote.set(JAVA_LONG, i * iov, remoteAddresses[i]);
                remote.set(JAVA_LONG, i * iov + 8, lengths[i]);
            }
            long read = (long) PROCESS_VM_READV.invokeExact(state, pid, local, 1L, remote, (long) count, 0L);
            if (read < 0) {
                throw new ErrnoException("process_vm_readv(pid " + pid + ", " + count + " ranges from 0x"
                        + Long.toHexString(remoteAddresses[0]) + ", " + total + " bytes)", NativeCalls.errno(state));
            }
            return read;
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** userfaultfd(2) through syscall(2) (glibc has no wrapper). Returns the new file descriptor. */
    public static int userfaultfd(int flags) throws ErrnoException {
        if (SYS_USERFAULTFD < 0) {
            throw new ErrnoException("userfaultfd on " + System.getProperty("os.arch"), Errno.ENOSYS);
        }
        return NativeCalls.call((arena, state) -> {
            long fd = (long) SYSCALL_1.invokeExact(state, SYS_USERFAULTFD, (long) flags);
            if (fd < 0) {
                throw new ErrnoException("userfaultfd(0x" + Integer.toHexString(flags) + ")", NativeCalls.errno(state));
            }
            return (int) fd;
        });
    }

    /** pidfd_open(2): a descriptor that names process {@code pid} for good (close it after use). */
    public static int pidfdOpen(long pid) throws ErrnoException {
        return NativeCalls.call((arena, state) -> {
            long fd = (long) SYSCALL_3.invokeExact(state, SYS_PIDFD_OPEN, pid, 0L, 0L);
            if (fd < 0) {
                throw new ErrnoException("pidfd_open(" + pid + ")", NativeCalls.errno(state));
            }
            return (int) fd;
        });
    }

    /**
     * pidfd_getfd(2): a copy, in this process, of descriptor {@code targetFd} of the process {@code pidfd} names:
     * the same open file, so what an ioctl reads of it is the other process's (close it after use).
     */
    public static int pidfdGetfd(int pidfd, int targetFd) throws ErrnoException {
        return NativeCalls.call((arena, state) -> {
            long fd = (long) SYSCALL_3.invokeExact(state, SYS_PIDFD_GETFD, (long) pidfd, (long) targetFd, 0L);
            if (fd < 0) {
                throw new ErrnoException("pidfd_getfd(" + pidfd + ", " + targetFd + ")", NativeCalls.errno(state));
            }
            return (int) fd;
        });
    }

    /** ioctl(FIONREAD): how many bytes a read of {@code fd} would find now (an inotify queue's events, say). */
    public static int bytesQueued(int fd) throws ErrnoException {
        return NativeCalls.call((arena, state) -> {
            MemorySegment count = arena.allocate(JAVA_INT);
            NativeCalls.checked((int) IOCTL.invokeExact(state, fd, FIONREAD, count), state,
                    "ioctl(fd " + fd + ", FIONREAD)");
            return count.get(JAVA_INT, 0);
        });
    }

    /** statfs(2)'s f_type: the magic number of the file system {@code path} is on (0x19800202 for mqueue). */
    public static long fileSystemType(String path) throws ErrnoException {
        return NativeCalls.call((arena, state) -> {
            MemorySegment buffer = arena.allocate(STATFS_SIZE, 8);
            NativeCalls.checked((int) STATFS.invokeExact(state, arena.allocateFrom(path), buffer), state,
                    "statfs(" + path + ")");
            return buffer.get(JAVA_LONG, 0);
        });
    }

    /** open(2), for files whose descriptor must reach an ioctl. */
    public static int open(String path, int flags) throws ErrnoException {
        return open(path, flags, 0);
    }

    /** open(2) with a mode for O_CREAT; add O_CLOEXEC unless a child must inherit the descriptor. */
    public static int open(String path, int flags, int mode) throws ErrnoException {
        return NativeCalls.call((arena, state) -> NativeCalls.checked(
                (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags, mode), state, "open(" + path + ")"));
    }

    /** ioctl(2) with a pointer argument; returns the call's non-negative result. */
    public static int ioctl(int fd, long request, MemorySegment argument) throws ErrnoException {
        requireNative(argument);
        return NativeCalls.call((arena, state) -> NativeCalls.checked((int) IOCTL.invokeExact(state, fd, request,
                argument), state, "ioctl(fd " + fd + ", 0x" + Long.toHexString(request) + ")"));
    }

    /** ioctl(2) without an argument (NS_GET_USERNS, NS_GET_PARENT...); returns the call's non-negative result. */
    public static int ioctl(int fd, long request) throws ErrnoException {
        return NativeCalls.call((arena, state) -> NativeCalls.checked((int) IOCTL.invokeExact(state, fd, request,
                MemorySegment.NULL), state, "ioctl(fd " + fd + ", 0x" + Long.toHexString(request) + ")"));
    }

    /** fcntl(2) with an int argument (F_SETPIPE_SZ, say); returns the call's non-negative result. */
    public static int fcntl(int fd, int command, int argument) throws ErrnoException {
        return NativeCalls.call((arena, state) -> NativeCalls.checked((int) FCNTL.invokeExact(state, fd, command,
                argument), state, "fcntl(fd " + fd + ", " + command + ")"));
    }

    /** A copy of {@code fd} numbered {@code minimum} or higher, close-on-exec. */
    public static int dupAtLeast(int fd, int minimum) throws ErrnoException {
        return NativeCalls.call((arena, state) -> NativeCalls.checked((int) FCNTL.invokeExact(state, fd,
                F_DUPFD_CLOEXEC, minimum), state, "fcntl(fd " + fd + ", F_DUPFD_CLOEXEC)"));
    }

    /** mkfifo(3): a named pipe with the given permission bits. */
    public static void mkfifo(String path, int mode) throws ErrnoException {
        NativeCalls.call((arena, state) -> NativeCalls.checked((int) MKFIFO.invokeExact(state, arena.allocateFrom(path),
                mode), state, "mkfifo(" + path + ")"));
    }

    /** close(2). */
    public static void close(int fd) throws ErrnoException {
        NativeCalls.call((arena, state) -> NativeCalls.checked((int) CLOSE.invokeExact(state, fd), state,
                "close(" + fd + ")"));
    }

    /** close(2), ignoring errors: for cleanup paths where nothing better can be done. */
    public static void closeQuietly(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            // never retried on EINTR: on Linux the descriptor is gone anyway, and may already be reused
            close(fd);
        } catch (ErrnoException e) {
            // nothing to do: the descriptor is gone either way
        }
    }

    /** The size of a memory page, from sysconf(_SC_PAGESIZE). */
    public static long pageSize() {
        try {
            return (long) SYSCONF.invokeExact(SC_PAGESIZE);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    private static void requireNative(MemorySegment segment) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("the kernel can only write to native memory, not a heap segment");
        }
    }
}
