package io.haul.host.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.time.Instant;

/**
 * Packet sockets (AF_PACKET) that see the frames of every interface of the caller's network namespace through a
 * classic BPF filter run in the kernel, so that only the frames asked for reach Java, each with the kernel's
 * timestamp of its arrival ({@code SIOCGSTAMPNS}): what a migration's network figures are measured with.
 */
public final class PacketSockets {

    private static final int AF_PACKET = 17;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    /** htons(ETH_P_ALL): every protocol. */
    private static final short ETH_P_ALL_NET = (short) 0x0300;
    private static final int SOL_SOCKET = 1;
    private static final int SO_ATTACH_FILTER = 26;
    private static final long SIOCGSTAMPNS = 0x8907;
    private static final int MSG_TRUNC = 0x20;

    private static final MethodHandle SOCKET = NativeCalls.downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), NativeCalls.CAPTURE_ERRNO);
    private static final MethodHandle SETSOCKOPT = NativeCalls.downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), NativeCalls.CAPTURE_ERRNO);
    private static final MethodHandle BIND = NativeCalls.downcall("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), NativeCalls.CAPTURE_ERRNO);
    private static final MethodHandle RECV = NativeCalls.downcall("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), NativeCalls.CAPTURE_ERRNO);
    private static final MethodHandle IOCTL = NativeCalls.downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), NativeCalls.CAPTURE_ERRNO);

    private PacketSockets() {
    }

    /** One classic BPF instruction ({@code struct sock_filter}). */
    public record Instruction(short code, byte jumpTrue, byte jumpFalse, int k) {
    }

    /** A frame received: its length on the wire and when the kernel took it. */
    public record Frame(long length, Instant at) {
    }

    /**
     * A packet socket of this namespace that sees, on every interface, only the frames {@code filter} accepts.
     * The filter is attached before the socket is bound to a protocol, so no frame slips in unfiltered; the
     * kernel's timestamps are switched on at once.
     */
    public static int open(java.util.List<Instruction> filter) throws ErrnoException {
        int fd = NativeCalls.call((arena, state) -> NativeCalls.checked(
                (int) SOCKET.invokeExact(state, AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0), state,
                "socket(AF_PACKET, SOCK_RAW)"));
        try {
            NativeCalls.call((arena, state) -> {
                MemorySegment program = arena.allocate(8L * filter.size(), 8);
                for (int i = 0; i < filter.size(); i++) {
                    Instruction instruction = filter.get(i);
                    program.set(JAVA_SHORT, 8L * i, instruction.code());
                    program.set(JAVA_BYTE, 8L * i + 2, instruction.jumpTrue());
                    program.set(JAVA_BYTE, 8L * i + 3, instruction.jumpFalse());
                    program.set(JAVA_INT, 8L * i + 4, instruction.k());
                }
                MemorySegment fprog = arena.allocate(16, 8); // struct sock_fprog { u16 len; sock_filter *filter; }
                fprog.set(JAVA_SHORT, 0, (short) filter.size());
                fprog.set(ADDRESS, 8, program);
                NativeCalls.checked((int) SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, 16),
                        state, "setsockopt(SO_ATTACH_FILTER)");
                MemorySegment address = arena.allocate(20, 4); // struct sockaddr_ll, ifindex 0: every interface
                address.set(JAVA_SHORT, 0, (short) AF_PACKET);
                address.set(JAVA_SHORT, 2, ETH_P_ALL_NET);
                NativeCalls.checked((int) BIND.invokeExact(state, fd, address, 20), state, "bind(AF_PACKET)");
                MemorySegment stamp = arena.allocate(16, 8);
                // the first SIOCGSTAMPNS switches the socket's timestamps on (and finds none yet: ENOENT)
                int ignored = (int) IOCTL.invokeExact(state, fd, SIOCGSTAMPNS, stamp);
                return ignored;
            });
        } catch (ErrnoException | RuntimeException e) {
            Syscalls.closeQuietly(fd);
            throw e;
        }
        return fd;
    }

    /**
     * Receives one frame (at most {@code into}'s size of it), retried on EINTR, with the kernel's timestamp of its
     * arrival, or the time of this call where the kernel gives none.
     */
    public static Frame receive(int fd, MemorySegment into) throws ErrnoException {
        return NativeCalls.call((arena, state) -> {
            long length;
            while (true) {
                length = (long) RECV.invokeExact(state, fd, into, into.byteSize(), MSG_TRUNC);
                if (length >= 0) {
                    break;
                }
                if (NativeCalls.errno(state) != Errno.EINTR) {
                    throw new ErrnoException("recv(AF_PACKET fd " + fd + ")", NativeCalls.errno(state));
                }
            }
            MemorySegment stamp = arena.allocate(16, 8); // struct timespec
            int got = (int) IOCTL.invokeExact(state, fd, SIOCGSTAMPNS, stamp);
            Instant at = got == 0 ? Instant.ofEpochSecond(stamp.get(JAVA_LONG, 0), stamp.get(JAVA_LONG, 8))
                    : Instant.now();
            return new Frame(length, at);
        });
    }
}
