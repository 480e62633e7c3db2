package io.haul.host.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The socket calls the JDK cannot make: a SOCK_SEQPACKET socketpair (CRIU's RPC speaks over one), whole-packet
 * send and recv, and poll on one descriptor.
 */
public final class Sockets {

    private static final int AF_UNIX = 1;
    private static final int SOCK_SEQPACKET = 5;
    private static final int SOCK_CLOEXEC = 0x80000;
    /** recv: return the packet's real length even when it did not fit, so truncation shows. */
    private static final int MSG_TRUNC = 0x20;
    /** send: EPIPE instead of a SIGPIPE when the peer has gone (the JVM must not get the signal). */
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final short POLLIN = 0x1;

    private static final MethodHandle SOCKETPAIR = NativeCalls.downcall("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), NativeCalls.CAPTURE_ERRNO);
    private static final MethodHandle SEND = NativeCalls.downcall("send",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), NativeCalls.CAPTURE_ERRNO);
    private static final MethodHandle RECV = NativeCalls.downcall("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), NativeCalls.CAPTURE_ERRNO);
    private static final MethodHandle POLL = NativeCalls.downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), NativeCalls.CAPTURE_ERRNO);

    private Sockets() {
    }

    /** socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC): two connected ends. */
    public static int[] seqpacketPair() throws ErrnoException {
        return NativeCalls.call((arena, state) -> {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            NativeCalls.checked((int) SOCKETPAIR.invokeExact(state, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds),
                    state, "socketpair(AF_UNIX, SOCK_SEQPACKET)");
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        });
    }

    /** send(2) of one whole packet, retried on EINTR; returns the bytes sent. */
    public static long send(int fd, MemorySegment packet) throws ErrnoException {
        return NativeCalls.call((arena, state) -> {
            while (true) {
                long sent = (long) SEND.invokeExact(state, fd, packet, packet.byteSize(), MSG_NOSIGNAL);
                if (sent >= 0) {
                    return sent;
                }
                if (NativeCalls.errno(state) != Errno.EINTR) {
                    throw new ErrnoException("send(fd " + fd + ", " + packet.byteSize() + " bytes)",
                            NativeCalls.errno(state));
                }
            }
        });
    }

    /**
     * recv(2) with MSG_TRUNC, retried on EINTR: the packet's full length (more than {@code into} holds when it
     * was truncated), 0 when the peer closed its end.
     */
    public static long recv(int fd, MemorySegment into) throws ErrnoException {
        return NativeCalls.call((arena, state) -> {
            while (true) {
                long length = (long) RECV.invokeExact(state, fd, into, into.byteSize(), MSG_TRUNC);
                if (length >= 0) {
                    return length;
                }
                if (NativeCalls.errno(state) != Errno.EINTR) {
                    throw new ErrnoException("recv(fd " + fd + ")", NativeCalls.errno(state));
                }
            }
        });
    }

    /** poll(2) on one descriptor: whether it is readable (or closed by the peer) within the timeout. */
    public static boolean pollIn(int fd, int timeoutMillis) throws ErrnoException {
        return NativeCalls.call((arena, state) -> {
            MemorySegment pollfd = arena.allocate(8, 4); // struct pollfd { int fd; short events; short revents; }
            pollfd.set(JAVA_INT, 0, fd);
            pollfd.set(JAVA_SHORT, 4, POLLIN);
            int ready = (int) POLL.invokeExact(state, pollfd, 1L, timeoutMillis);
            if (ready < 0) {
                if (NativeCalls.errno(state) == Errno.EINTR) {
                    return false;
                }
                throw new ErrnoException("poll(fd " + fd + ")", NativeCalls.errno(state));
            }
            // POLLIN, POLLHUP or POLLERR: the next recv returns at once
            return ready > 0 && pollfd.get(JAVA_SHORT, 6) != 0;
        });
    }
}
