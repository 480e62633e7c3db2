package io.haul.host.net;

import io.haul.api.HaulException;
import io.haul.host.linux.ErrnoException;
import io.haul.host.linux.PacketSockets;
import io.haul.host.linux.PacketSockets.Instruction;
import io.haul.host.linux.Sockets;
import io.haul.host.linux.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches this network namespace for the TCP and UDP frames some hardware addresses send (a container's
 * interfaces): when the first and the last of them passed any interface here, by the kernel's clock. ARP, neighbour
 * discovery and other ICMP are not counted: what a migration announces itself must not pass for the container's
 * own traffic. The kernel's filter lets only those frames (their first 64 bytes) reach the watch, so the rest of
 * the host's traffic (the migration's own images among it) costs nothing here.
 */
public final class FrameWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FrameWatch.class);
    private static final short LD_H_ABS = 0x28;
    private static final short LD_W_ABS = 0x20;
    private static final short LD_B_ABS = 0x30;
    private static final short JEQ_K = 0x15;
    private static final short RET_K = 0x06;
    private static final int SNAP = 64;
    private static final int POLL_MILLIS = 100;

    private final int fd;
    private final Thread reader;
    private volatile boolean closed;
    private Instant first;
    private Instant last;

    private FrameWatch(int fd, String name) {
        this.fd = fd;
        this.reader = Thread.ofPlatform().daemon().name(name).start(this::read);
    }

    /** Starts watching for the TCP and UDP frames sent from any of {@code macs} ("02:00:a9:fe:54:32"). */
    public static FrameWatch start(Collection<String> macs, String threadName) throws HaulException {
        if (macs.isEmpty()) {
            throw new IllegalArgumentException("no hardware address to watch");
        }
        try {
            return new FrameWatch(PacketSockets.open(filter(macs)), threadName);
        } catch (ErrnoException e) {
            throw new HaulException("network.watch", "cannot watch the frames of " + String.join(", ", macs) + ": "
                    + e.getMessage());
        }
    }

    /** When the first frame was seen, if one was. */
    public synchronized Optional<Instant> first() {
        return Optional.ofNullable(first);
    }

    /** When the last frame so far was seen, if one was. */
    public synchronized Optional<Instant> last() {
        return Optional.ofNullable(last);
    }

    /** Waits up to {@code timeout} for a first frame. */
    public synchronized Optional<Instant> awaitFirst(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (first == null && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return Optional.ofNullable(first);
    }

    private void read() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(SNAP);
            while (!closed) {
                if (!Sockets.pollIn(fd, POLL_MILLIS) || closed) {
                    continue;
                }
                PacketSockets.Frame frame = PacketSockets.receive(fd, buffer);
                synchronized (this) {
                    if (first == null) {
                        first = frame.at();
                        notifyAll();
                    }
                    if (last == null || frame.at().isAfter(last)) {
                        last = frame.at();
                    }
                }
            }
        } catch (ErrnoException e) {
            if (!closed) {
                LOG.warn("the frame watch stopped: {}", e.getMessage());
            }
        } finally {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** Stops the watch; what it saw stays readable. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        synchronized (this) {
            notifyAll();
        }
        try {
            reader.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Syscalls.closeQuietly(fd);
    }

    /**
     * The classic BPF program: IPv4 or IPv6 carrying TCP or UDP (IPv6's first next header), from one of the
     * addresses; 64 bytes of it kept.
     */
    static List<Instruction> filter(Collection<String> macs) {
        List<String> list = List.copyOf(macs);
        int reject = 9;
        int addresses = 10;
        int noAddress = addresses + 4 * list.size();
        int accept = noAddress + 1;
        List<Instruction> program = new ArrayList<>();
        program.add(insn(LD_H_ABS, 0, 0, 12)); // 0: the ethertype
        program.add(jeq(1, 2, 5, 0x0800)); // 1: IPv4
        program.add(insn(LD_B_ABS, 0, 0, 23)); // 2: its protocol
        program.add(jeq(3, addresses, 4, 6)); // 3: TCP
        program.add(jeq(4, addresses, reject, 17)); // 4: UDP
        program.add(jeq(5, 6, reject, 0x86dd)); // 5: IPv6
        program.add(insn(LD_B_ABS, 0, 0, 20)); // 6: its next header
        program.add(jeq(7, addresses, 8, 6)); // 7: TCP
        program.add(jeq(8, addresses, reject, 17)); // 8: UDP
        program.add(insn(RET_K, 0, 0, 0)); // 9: not TCP or UDP
        for (int i = 0; i < list.size(); i++) {
            byte[] mac = HexFormat.ofDelimiter(":").parseHex(list.get(i));
            int at = addresses + 4 * i;
            int high = ((mac[0] & 0xff) << 24) | ((mac[1] & 0xff) << 16) | ((mac[2] & 0xff) << 8) | (mac[3] & 0xff);
            int low = ((mac[4] & 0xff) << 8) | (mac[5] & 0xff);
            program.add(insn(LD_W_ABS, 0, 0, 6)); // the source address's first four bytes
            program.add(jeq(at + 1, at + 2, at + 4, high));
            program.add(insn(LD_H_ABS, 0, 0, 10)); // its last two
            program.add(jeq(at + 3, accept, at + 4, low));
        }
        program.add(insn(RET_K, 0, 0, 0)); // from none of them
        program.add(insn(RET_K, 0, 0, SNAP));
        return program;
    }

    /** A jump-if-equal at index {@code at} to the instructions at {@code ifEqual} and {@code otherwise}. */
    private static Instruction jeq(int at, int ifEqual, int otherwise, int k) {
        return insn(JEQ_K, ifEqual - at - 1, otherwise - at - 1, k);
    }

    private static Instruction insn(short code, int jumpTrue, int jumpFalse, int k) {
        return new Instruction(code, (byte) jumpTrue, (byte) jumpFalse, k);
    }
}
