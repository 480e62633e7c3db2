package io.haul.criu.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.haul.host.linux.ErrnoException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * The libc calls the CRIU driver needs and neither the JDK nor {@code io.haul.host.linux.Syscalls} offers:
 * a SOCK_SEQPACKET socketpair, whole-packet send/recv, poll, and spawning a child that inherits one of those
 * sockets (posix_spawn), then reaping it (waitpid) and signalling trees (kill). Failures throw
 * {@link ErrnoException} with the errno the call left (captured with {@code captureCallState}).
 */
final class Libc {

    static final int AF_UNIX = 1;
    static final int SOCK_SEQPACKET = 5;
    static final int SOCK_CLOEXEC = 0x80000;
    /** recv: return the packet's real length even when it did not fit, so truncation shows. */
    static final int MSG_TRUNC = 0x20;
    /** send: EPIPE instead of a SIGPIPE when criu has gone (the JVM must not get the signal). */
    static final int MSG_NOSIGNAL = 0x4000;
    static final short POLLIN = 0x1;
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_CREAT = 0x40;
    static final int O_APPEND = 0x400;
    static final int O_DIRECTORY = 0x10000;
    static final int O_CLOEXEC = 0x80000;
    static final int F_DUPFD_CLOEXEC = 1030;
    static final int WNOHANG = 1;
    static final int SIGKILL = 9;
    static final int SIGCONT = 18;
    static final int EINTR = 4;
    static final int ESRCH = 3;

    // waitid(2)
    private static final int P_PID = 1;
    private static final int WEXITED = 4;
    private static final int WNOWAIT = 0x01000000;
    private static final long SIGINFO_BYTES = 128;

    // posix_spawnattr flags (glibc's spawn.h)
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final short POSIX_SPAWN_SETSID = 0x80;
    // glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336 on x86_64 and aarch64; they are
    // opaque to us (the *_init calls fill them), so room to spare is all they need.
    private static final long SPAWN_STRUCT_BYTES = 1024;
    private static final long SIGSET_BYTES = 128;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKETPAIR = downcall("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle SEND = downcall("send",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle RECV = downcall("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FCNTL = downcall("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle KILL = downcall("kill",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle WAITPID = downcall("waitpid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle WAITID = downcall("waitid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);

    // posix_spawn and its helpers return an errno value instead of setting errno
    private static final MethodHandle POSIX_SPAWN = downcall("posix_spawn",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle FA_INIT = downcall("posix_spawn_file_actions_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_DESTROY = downcall("posix_spawn_file_actions_destroy",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_ADDDUP2 = downcall("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FA_ADDOPEN = downcall("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    // glibc 2.34+: closes every descriptor from a number on in the child, whatever the JVM left inheritable
    private static final MethodHandle FA_ADDCLOSEFROM = downcall("posix_spawn_file_actions_addclosefrom_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle ATTR_INIT = downcall("posix_spawnattr_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_DESTROY = downcall("posix_spawnattr_destroy",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_SETFLAGS = downcall("posix_spawnattr_setflags",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    private static final MethodHandle ATTR_SETSIGMASK = downcall("posix_spawnattr_setsigmask",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ATTR_SETSIGDEFAULT = downcall("posix_spawnattr_setsigdefault",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SIGEMPTYSET = downcall("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SIGFILLSET = downcall("sigfillset", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    private Libc() {
    }

    /** socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC): two connected ends. */
    static int[] seqpacketPair() throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int result = (int) SOCKETPAIR.invokeExact(state, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds);
            check(result, state, "socketpair(AF_UNIX, SOCK_SEQPACKET)");
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** send(2) of one whole packet, retried on EINTR; returns the bytes sent. */
    static long send(int fd, MemorySegment packet) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            while (true) {
                long sent = (long) SEND.invokeExact(state, fd, packet, packet.byteSize(), MSG_NOSIGNAL);
                if (sent >= 0) {
                    return sent;
                }
                if (errno(state) != EINTR) {
                    throw new ErrnoException("send(fd " + fd + ", " + packet.byteSize() + " bytes)", errno(state));
                }
            }
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /**
     * recv(2) with MSG_TRUNC, retried on EINTR: the packet's full length (more than {@code into} holds when it
     * was truncated), 0 when the peer closed its end.
     */
    static long recv(int fd, MemorySegment into) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            while (true) {
                long length = (long) RECV.invokeExact(state, fd, into, into.byteSize(), MSG_TRUNC);
                if (length >= 0) {
                    return length;
                }
                if (errno(state) != EINTR) {
                    throw new ErrnoException("recv(fd " + fd + ")", errno(state));
                }
            }
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** poll(2) on one descriptor: whether it is readable (or closed by the peer) within the timeout. */
    static boolean pollIn(int fd, int timeoutMillis) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment pollfd = arena.allocate(8, 4); // struct pollfd { int fd; short events; short revents; }
            pollfd.set(JAVA_INT, 0, fd);
            pollfd.set(JAVA_SHORT, 4, POLLIN);
            int ready = (int) POLL.invokeExact(state, pollfd, 1L, timeoutMillis);
            if (ready < 0) {
                if (errno(state) == EINTR) {
                    return false;
                }
                throw new ErrnoException("poll(fd " + fd + ")", errno(state));
            }
            // POLLIN, POLLHUP or POLLERR: the next recv returns at once
            return ready > 0 && pollfd.get(JAVA_SHORT, 6) != 0;
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** open(2) with O_CLOEXEC added; mode applies with O_CREAT. */
    static int open(String path, int flags, int mode) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags | O_CLOEXEC, mode);
            check(fd, state, "open(" + path + ")");
            return fd;
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** A copy of {@code fd} numbered {@code minimum} or higher, close-on-exec. */
    static int dupAtLeast(int fd, int minimum) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int copy = (int) FCNTL.invokeExact(state, fd, F_DUPFD_CLOEXEC, minimum);
            check(copy, state, "fcntl(fd " + fd + ", F_DUPFD_CLOEXEC)");
            return copy;
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** close(2), ignoring errors: called on cleanup paths where nothing better can be done. */
    static void closeQuietly(int fd) {
        if (fd < 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            // never retried on EINTR: on Linux the descriptor is gone anyway, and may already be reused
            int ignored = (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** kill(2); false when the process no longer exists (ESRCH). */
    static boolean kill(long pid, int signal) throws ErrnoException {
        if (pid <= 0) {
            throw new IllegalArgumentException("refusing to signal pid " + pid);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int result = (int) KILL.invokeExact(state, (int) pid, signal);
            if (result < 0 && errno(state) == ESRCH) {
                return false;
            }
            check(result, state, "kill(" + pid + ", " + signal + ")");
            return true;
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /**
     * waitpid(2) for one child of ours, retried on EINTR. Returns the raw wait status, or -1 with WNOHANG when
     * it has not exited yet.
     */
    static int waitpid(long pid, int options) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment status = arena.allocate(JAVA_INT);
            while (true) {
                int result = (int) WAITPID.invokeExact(state, (int) pid, status, options);
                if (result > 0) {
                    return status.get(JAVA_INT, 0);
                }
                if (result == 0) {
                    return -1;
                }
                if (errno(state) != EINTR) {
                    throw new ErrnoException("waitpid(" + pid + ")", errno(state));
                }
            }
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Blocks until child {@code pid} has exited, without reaping it (waitid with WNOWAIT): until it is reaped
     * its pid cannot be reused, so it stays safe to signal.
     */
    static void awaitExitWithoutReaping(long pid) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment info = arena.allocate(SIGINFO_BYTES, 8);
            while (true) {
                int result = (int) WAITID.invokeExact(state, P_PID, (int) pid, info, WEXITED | WNOWAIT);
                if (result == 0) {
                    return;
                }
                if (errno(state) != EINTR) {
                    throw new ErrnoException("waitid(" + pid + ")", errno(state));
                }
            }
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** "exit status 1", "killed by signal 9" from a wait status. */
    static String describeWaitStatus(int status) {
        int signal = status & 0x7f;
        return signal == 0 ? "exit status " + ((status >> 8) & 0xff) : "killed by signal " + signal;
    }

    /**
     * Starts {@code argv} (argv[0] is the executable's path) in a session of its own with default signal
     * handling and an empty signal mask, stdin from /dev/null, stdout and stderr appended to
     * {@code outputFile}, {@code passFd} as its descriptor {@code childFd}, and no other descriptor of ours.
     *
     * @return the child's pid
     */
    static long spawn(List<String> argv, List<String> environment, int passFd, int childFd, String outputFile)
            throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(SPAWN_STRUCT_BYTES, 16);
            MemorySegment attributes = arena.allocate(SPAWN_STRUCT_BYTES, 16);
            spawnCheck((int) FA_INIT.invokeExact(actions), "posix_spawn_file_actions_init");
            try {
                spawnCheck((int) ATTR_INIT.invokeExact(attributes), "posix_spawnattr_init");
                try {
                    spawnCheck((int) FA_ADDOPEN.invokeExact(actions, 0, arena.allocateFrom("/dev/null"), O_RDONLY, 0),
                            "posix_spawn_file_actions_addopen(0)");
                    spawnCheck((int) FA_ADDOPEN.invokeExact(actions, 1, arena.allocateFrom(outputFile),
                            O_WRONLY | O_CREAT | O_APPEND, 0600), "posix_spawn_file_actions_addopen(1)");
                    spawnCheck((int) FA_ADDDUP2.invokeExact(actions, 1, 2), "posix_spawn_file_actions_adddup2(2)");
                    spawnCheck((int) FA_ADDDUP2.invokeExact(actions, passFd, childFd),
                            "posix_spawn_file_actions_adddup2(" + childFd + ")");
                    spawnCheck((int) FA_ADDCLOSEFROM.invokeExact(actions, childFd + 1),
                            "posix_spawn_file_actions_addclosefrom_np");

                    MemorySegment none = arena.allocate(SIGSET_BYTES, 8);
                    MemorySegment all = arena.allocate(SIGSET_BYTES, 8);
                    int ignored = (int) SIGEMPTYSET.invokeExact(none);
                    ignored = (int) SIGFILLSET.invokeExact(all);
                    spawnCheck((int) ATTR_SETSIGMASK.invokeExact(attributes, none), "posix_spawnattr_setsigmask");
                    spawnCheck((int) ATTR_SETSIGDEFAULT.invokeExact(attributes, all), "posix_spawnattr_setsigdefault");
                    // its own session: a Ctrl-C on the agent's terminal must not kill criu while it holds a tree
                    short flags = (short) (POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSID);
                    spawnCheck((int) ATTR_SETFLAGS.invokeExact(attributes, flags), "posix_spawnattr_setflags");

                    MemorySegment pid = arena.allocate(JAVA_INT);
                    int error = (int) POSIX_SPAWN.invokeExact(pid, arena.allocateFrom(argv.getFirst()), actions,
                            attributes, cStrings(arena, argv), cStrings(arena, environment));
                    if (error != 0) {
                        throw new ErrnoException("posix_spawn(" + argv.getFirst() + ")", error);
                    }
                    return pid.get(JAVA_INT, 0);
                } finally {
                    int ignored = (int) ATTR_DESTROY.invokeExact(attributes);
                }
            } finally {
                int ignored = (int) FA_DESTROY.invokeExact(actions);
            }
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** A NULL-terminated char*[] of the strings. */
    private static MemorySegment cStrings(Arena arena, List<String> strings) {
        MemorySegment array = arena.allocate(ADDRESS, strings.size() + 1L);
        for (int i = 0; i < strings.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(strings.get(i)));
        }
        array.setAtIndex(ADDRESS, strings.size(), MemorySegment.NULL);
        return array;
    }

    private static void spawnCheck(int error, String call) throws ErrnoException {
        if (error != 0) {
            throw new ErrnoException(call, error);
        }
    }

    private static void check(int result, MemorySegment state, String call) throws ErrnoException {
        if (result < 0) {
            throw new ErrnoException(call, errno(state));
        }
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment function = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(function, descriptor, options);
    }
}
