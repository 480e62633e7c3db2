package io.haul.criu.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.haul.api.HaulException;
import io.haul.criu.rpc.CriuReq;
import io.haul.criu.rpc.CriuResp;
import io.haul.host.linux.ErrnoException;
import io.haul.host.linux.Processes;
import io.haul.host.linux.Sockets;
import io.haul.host.linux.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code criu swrk} and the SOCK_SEQPACKET socket we talk to it over: each protobuf message is one packet.
 * The JDK can neither open such a socket nor give one to a child, so both happen through the host toolkit ({@link Sockets}, {@link Processes}): a
 * socketpair, and posix_spawn with our peer's end as the child's descriptor 3 ({@code criu swrk 3}).
 * Closing our end is what "the agent died" looks like to CRIU: a dump it holds frozen then fails and resumes
 * the tree. Not thread-safe: one caller at a time.
 */
final class RpcSession implements AutoCloseable {

    /** CRIU's answers are small; a packet larger than this is a protocol error, never silently cut. */
    static final int MAX_PACKET = 1 << 20;
    /** How long close() gives criu swrk to finish by itself before it is killed. */
    static final Duration EXIT_GRACE = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(RpcSession.class);
    private static final int CHILD_FD = 3;
    private static final int POLL_SLICE_MILLIS = 100;
    private static final int OUTPUT_TAIL_BYTES = 2048;

    private final ChildProcess swrk;
    private final Path output;
    private int fd;

    /** The pid of this session's criu swrk. */
    long pid() {
        return swrk.pid();
    }

    private RpcSession(int fd, ChildProcess swrk, Path output) {
        this.fd = fd;
        this.swrk = swrk;
        this.output = output;
    }

    /** Starts {@code criu swrk} connected to a new session. */
    static RpcSession start(Path criu) throws HaulException {
        Path output;
        try {
            // criu's own stdout/stderr (before its log opens, or if the loader fails): a file, never a pipe
            // nobody might drain; read on failures, deleted on close
            output = Files.createTempFile("haul-criu-swrk-", ".out");
        } catch (IOException e) {
            throw new HaulException("criu.unavailable", "cannot create a temporary file for criu's output: " + e, e);
        }
        int ours = -1;
        int theirs = -1;
        try {
            int[] pair = Sockets.seqpacketPair();
            ours = pair[0];
            theirs = pair[1];
            if (theirs == CHILD_FD) {
                // dup2(3, 3) would keep close-on-exec set: move it out of the way first
                int moved = Syscalls.dupAtLeast(theirs, CHILD_FD + 1);
                Syscalls.closeQuietly(theirs);
                theirs = moved;
            }
            long pid = Processes.spawn(List.of(criu.toString(), "swrk", Integer.toString(CHILD_FD)), environment(),
                    theirs, CHILD_FD, output.toString());
            LOG.debug("criu swrk started: pid {}, our socket fd {}", pid, ours);
            RpcSession session = new RpcSession(ours, ChildProcess.watch(pid, "criu-swrk"), output);
            ours = -1;
            return session;
        } catch (ErrnoException e) {
            deleteQuietly(output);
            throw new HaulException("criu.unavailable", "cannot start " + criu + " swrk: " + e.getMessage(), e);
        } finally {
            Syscalls.closeQuietly(ours);
            // the child has its own copy now (or never will)
            Syscalls.closeQuietly(theirs);
        }
    }

    /** Sends one request as one packet. */
    void send(CriuReq request) throws HaulException {
        byte[] bytes = request.toByteArray();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment packet = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, packet, ValueLayout.JAVA_BYTE, 0, bytes.length);
            long sent = Sockets.send(requireOpen(), packet.asSlice(0, bytes.length));
            if (sent != bytes.length) {
                throw protocol("sent " + sent + " of " + bytes.length + " bytes of a " + request.getType() + " request");
            }
        } catch (ErrnoException e) {
            throw peerGone("sending a " + request.getType() + " request failed: " + e.getMessage(), e);
        }
    }

    /**
     * Waits for and decodes the next message. Throws when criu closes the socket or exits, when the timeout
     * passes (criu.timeout), or when the waiting thread is interrupted.
     */
    CriuResp receive(Duration timeout) throws HaulException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!Sockets.pollIn(requireOpen(), POLL_SLICE_MILLIS)) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new HaulException("criu.interrupted", "interrupted while waiting for CRIU");
                }
                // a socket criu handed to one of its children would never show EOF: watch criu itself too
                if (swrk.hasExited() && !Sockets.pollIn(fd, 0)) {
                    throw peerGone("criu swrk ended without answering", null);
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new HaulException("criu.timeout", "CRIU did not answer within " + timeout.toSeconds()
                            + " s (criu swrk pid " + swrk.pid() + ")");
                }
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buffer = arena.allocate(MAX_PACKET);
                long length = Sockets.recv(fd, buffer);
                if (length == 0) {
                    throw peerGone("criu swrk closed the connection", null);
                }
                if (length > MAX_PACKET) {
                    throw protocol("a message of " + length + " bytes, more than the " + MAX_PACKET + " expected");
                }
                return decode(buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE));
            }
        } catch (ErrnoException e) {
            throw peerGone("receiving from criu failed: " + e.getMessage(), e);
        } catch (InvalidProtocolBufferException e) {
            throw protocol("CRIU sent a message we cannot decode: " + e.getMessage());
        }
    }

    /** Closes our end at once, without a word to CRIU: what CRIU sees when the agent dies. */
    void dropConnection() {
        if (fd >= 0) {
            LOG.debug("closing our end of criu swrk {}'s socket (fd {})", swrk.pid(), fd);
            Syscalls.closeQuietly(fd);
            fd = -1;
        }
    }

    /** What criu swrk printed itself (not its log), the last lines; "" when nothing. */
    String swrkOutput() {
        try {
            return FileTail.lastBytes(output, OUTPUT_TAIL_BYTES).strip();
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    /**
     * Drops the connection, gives criu swrk {@link #EXIT_GRACE} to finish (a dump it held resumes its tree on
     * the way), kills it if it is still there, and deletes its output file. Idempotent.
     */
    @Override
    public void close() {
        dropConnection();
        if (!swrk.awaitExit(EXIT_GRACE)) {
            LOG.warn("criu swrk {} did not end {} s after the connection closed; killing it", swrk.pid(),
                    EXIT_GRACE.toSeconds());
            swrk.signal(Processes.SIGKILL);
            swrk.awaitExit(EXIT_GRACE);
        }
        String printed = swrkOutput();
        if (!printed.isEmpty()) {
            LOG.debug("criu swrk {} printed: {}", swrk.pid(), printed);
        }
        deleteQuietly(output);
    }

    private int requireOpen() throws HaulException {
        if (fd < 0) {
            throw new HaulException("criu.protocol", "the connection to criu swrk " + swrk.pid() + " is closed");
        }
        return fd;
    }

    private HaulException peerGone(String what, Throwable cause) {
        swrk.awaitExit(Duration.ofSeconds(2));
        StringBuilder message = new StringBuilder(what).append(" (criu swrk ").append(swrk.pid()).append(": ")
                .append(swrk.exitDescription()).append(')');
        String printed = swrkOutput();
        if (!printed.isEmpty()) {
            message.append("; it printed: ").append(printed);
        }
        return new HaulException("criu.protocol", message.toString(), cause);
    }

    private HaulException protocol(String what) {
        return new HaulException("criu.protocol", what + " (criu swrk " + swrk.pid() + ")");
    }

    /** The agent's environment, with the sbin folders on PATH: CRIU runs iptables-restore and the like. */
    private static List<String> environment() {
        List<String> entries = new ArrayList<>();
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
            if (!(":" + path + ":").contains(":" + dir + ":")) {
                path = path + ":" + dir;
            }
        }
        entries.add("PATH=" + path);
        for (Map.Entry<String, String> variable : System.getenv().entrySet()) {
            if (!variable.getKey().equals("PATH")) {
                entries.add(variable.getKey() + "=" + variable.getValue());
            }
        }
        return entries;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.debug("cannot delete {}: {}", file, e.toString());
        }
    }

    /** One packet from criu swrk as the reply it must be: the part of {@link #receive} without the socket. */
    static CriuResp decode(byte[] packet) throws InvalidProtocolBufferException {
        return CriuResp.parseFrom(packet);
    }
}
