package io.haul.transport.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.HaulException;
import io.haul.api.transport.Connection;
import io.haul.api.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link Transport} must do, as tests: a transport module's test extends this class and says how
 * to make a transport for an agent of a given name. Agents here are "alpha" (listening) and "beta"
 * (connecting), on loopback only.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class TransportContract {

    protected static final String SERVER = "alpha";
    protected static final String CLIENT = "beta";
    protected static final int LIMIT = Transport.MAX_FRAME_BYTES;

    private final List<AutoCloseable> cleanup = Collections.synchronizedList(new ArrayList<>());
    private final List<Transport> transports = Collections.synchronizedList(new ArrayList<>());

    /** A transport that proves to be {@code agentName}, fresh for each call. */
    protected abstract Transport newTransport(String agentName) throws Exception;

    /** Stops a transport made by {@link #newTransport}; called after each test. */
    protected void stop(Transport transport) throws Exception {
    }

    /**
     * Makes {@code connection}'s peer receive a control frame header that claims {@code claimedBytes}
     * (over the limit), bypassing the sender's own check, as a broken or hostile peer would.
     */
    protected abstract void sendRawFrameHeader(Connection connection, int claimedBytes) throws Exception;

    /** Where a test listens: loopback, an ephemeral port. */
    protected InetSocketAddress listenAddress() {
        return new InetSocketAddress("127.0.0.1", 0);
    }

    @AfterEach
    final void closeEverything() throws Exception {
        List<AutoCloseable> toClose = new ArrayList<>(cleanup);
        Collections.reverse(toClose);
        for (AutoCloseable closeable : toClose) {
            try {
                closeable.close();
            } catch (Exception e) {
                // best effort
            }
        }
        for (Transport transport : transports) {
            stop(transport);
        }
    }

    protected final Transport transport(String agentName) throws Exception {
        Transport transport = newTransport(agentName);
        transports.add(transport);
        return transport;
    }

    protected final <T extends AutoCloseable> T closeLater(T closeable) {
        cleanup.add(closeable);
        return closeable;
    }

    /** A listening server transport, with what it accepted. */
    protected final class Server {
        public final Transport transport;
        public final Transport.Listener listener;
        public final BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();

        Server(String agentName) throws Exception {
            transport = transport(agentName);
            listener = closeLater(transport.listen(listenAddress(), connection -> {
                closeLater(connection);
                accepted.add(connection);
            }));
        }

        public InetSocketAddress address() {
            return listener.address();
        }

        public Connection nextAccepted() throws InterruptedException {
            Connection connection = accepted.poll(10, TimeUnit.SECONDS);
            assertNotNull(connection, "the server accepted the connection");
            return connection;
        }
    }

    protected final Server server() throws Exception {
        return new Server(SERVER);
    }

    /** Both ends of one connection from "beta" to "alpha". */
    protected record Pair(Connection client, Connection server) {
    }

    protected final Pair connect(Server server) throws Exception {
        Transport client = transport(CLIENT);
        Connection clientEnd = closeLater(client.connect(server.address(), SERVER));
        return new Pair(clientEnd, server.nextAccepted());
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------------------------------------------

    @Test
    void controlFramesRoundTripBothWaysInOrder() throws Exception {
        Server server = server();
        Pair pair = connect(server);
        assertEquals(SERVER, pair.client().peer().agentName(), "the client sees the server's proven name");
        assertEquals(CLIENT, pair.server().peer().agentName(), "the server sees the client's proven name");
        assertFalse(pair.server().peer().address().isBlank());

        byte[] largest = new byte[LIMIT];
        new Random(1).nextBytes(largest);
        pair.client().send(text("hello"));
        pair.client().send(new byte[0]);
        pair.client().send(largest);
        pair.client().send(text("after the largest"));
        assertArrayEquals(text("hello"), pair.server().receive(Duration.ofSeconds(10)));
        assertArrayEquals(new byte[0], pair.server().receive(Duration.ofSeconds(10)));
        assertArrayEquals(largest, pair.server().receive(Duration.ofSeconds(10)));
        assertArrayEquals(text("after the largest"), pair.server().receive(Duration.ofSeconds(10)));

        for (int i = 0; i < 100; i++) {
            pair.server().send(text("reply " + i));
        }
        for (int i = 0; i < 100; i++) {
            assertArrayEquals(text("reply " + i), pair.client().receive(Duration.ofSeconds(10)));
        }
    }

    @Test
    void receiveWithoutAFrameTimesOutAndTheConnectionGoesOn() throws Exception {
        Pair pair = connect(server());
        long start = System.nanoTime();
        IOException timeout = assertThrows(IOException.class, () -> pair.server().receive(Duration.ofMillis(200)));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(tookMs >= 150 && tookMs < 5000, "waited about the timeout: " + tookMs + " ms");
        assertNotNull(timeout.getMessage());
        pair.client().send(text("late"));
        assertArrayEquals(text("late"), pair.server().receive(Duration.ofSeconds(10)));
    }

    @Test
    void bulkOf64MiBArrivesIntactAndControlFlowsMeanwhile() throws Exception {
        Pair pair = connect(server());
        long total = 64L * 1024 * 1024;
        CompletableFuture<String> sent = CompletableFuture.supplyAsync(() -> {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                Random random = new Random(64);
                byte[] chunk = new byte[200_000]; // not a power of two: chunks straddle the transport's own
                OutputStream out = pair.client().bulkOut();
                long left = total;
                while (left > 0) {
                    int n = (int) Math.min(chunk.length, left);
                    random.nextBytes(chunk);
                    out.write(chunk, 0, n);
                    sha.update(chunk, 0, n);
                    left -= n;
                }
                out.flush();
                return HexFormat.of().formatHex(sha.digest());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        long start = System.nanoTime();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        InputStream in = pair.server().bulkIn();
        byte[] buffer = new byte[77_777];
        long received = 0;
        while (received < total) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, total - received));
            assertTrue(n > 0, "bulk ended early at " + received + " bytes");
            sha.update(buffer, 0, n);
            received += n;
            if (received == total / 2) {
                pair.client().send(text("halfway"));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(sent.get(60, TimeUnit.SECONDS), HexFormat.of().formatHex(sha.digest()), "SHA-256 at both ends");
        System.out.printf("%s: 64 MiB bulk in %.2f s: %.0f MB/s%n", getClass().getSimpleName(), seconds,
                total / 1e6 / seconds);
        // the other way, and control frames still flowing
        pair.server().send(text("done"));
        assertArrayEquals(text("done"), pair.client().receive(Duration.ofSeconds(10)));
        pair.server().bulkOut().write(text("back"));
        pair.server().bulkOut().flush();
        byte[] back = pair.client().bulkIn().readNBytes(4);
        assertArrayEquals(text("back"), back);
    }

    @Test
    void aControlFrameOvertakesSaturatedBulk() throws Exception {
        Pair pair = connect(server());
        AtomicLong written = new AtomicLong();
        CompletableFuture<Throwable> writer = CompletableFuture.supplyAsync(() -> {
            byte[] chunk = new byte[64 * 1024];
            try {
                OutputStream out = pair.client().bulkOut();
                for (int i = 0; i < 16 * 1024; i++) { // 1 GiB at most: far more than any buffer on the way
                    out.write(chunk);
                    written.addAndGet(chunk.length);
                }
                return null;
            } catch (Throwable e) {
                return e;
            }
        });
        // the server never reads bulk: wait until the writer is blocked by flow control
        long last = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (written.get() != last) {
            last = written.get();
            Thread.sleep(500);
            assertTrue(System.nanoTime() < deadline, "bulk writes never blocked: " + written.get() + " bytes written");
        }
        assertFalse(writer.isDone(), "the bulk writer is blocked, not finished");
        assertTrue(written.get() < 256L * 1024 * 1024,
                "flow control bounds what is buffered on the way: " + written.get() + " bytes");

        long start = System.nanoTime();
        pair.client().send(text("cancel"));
        assertArrayEquals(text("cancel"), pair.server().receive(Duration.ofSeconds(5)));
        long overtookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(overtookMs < 2000, "the cancel frame arrived promptly: " + overtookMs + " ms");
        pair.server().send(text("cancelled"));
        assertArrayEquals(text("cancelled"), pair.client().receive(Duration.ofSeconds(5)));

        // reading bulk again lets the writer go on
        long before = written.get();
        byte[] sink = new byte[1 << 20];
        InputStream in = pair.server().bulkIn();
        for (int i = 0; i < 8; i++) {
            in.readNBytes(sink, 0, sink.length);
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (written.get() == before && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertTrue(written.get() > before, "the writer resumed once the reader read");

        pair.client().close();
        Throwable ended = writer.get(10, TimeUnit.SECONDS);
        assertTrue(ended instanceof IOException, "closing ends the blocked bulk writer with an IOException: " + ended);
    }

    @Test
    void anOversizedFrameIsRefusedBeforeSending() throws Exception {
        Pair pair = connect(server());
        IOException refused = assertThrows(IOException.class, () -> pair.client().send(new byte[LIMIT + 1]));
        assertTrue(refused.getMessage().contains(String.valueOf(LIMIT)), "names the limit: " + refused.getMessage());
        assertTrue(refused.getMessage().contains(String.valueOf(LIMIT + 1)), "names the size: " + refused.getMessage());
        // nothing was sent: the connection goes on
        pair.client().send(text("still here"));
        assertArrayEquals(text("still here"), pair.server().receive(Duration.ofSeconds(10)));
    }

    @Test
    void anOversizedFrameFromThePeerClosesTheConnection() throws Exception {
        Pair pair = connect(server());
        sendRawFrameHeader(pair.client(), LIMIT + 1);
        IOException closed = assertThrows(IOException.class, () -> pair.server().receive(Duration.ofSeconds(10)));
        assertTrue(closed.getMessage().contains(String.valueOf(LIMIT + 1)), "names the size: " + closed.getMessage());
        assertTrue(closed.getMessage().contains(String.valueOf(LIMIT)), "names the limit: " + closed.getMessage());
        // the sender sees its connection closed (not a timeout)
        IOException gone = assertThrows(IOException.class, () -> pair.client().receive(Duration.ofSeconds(10)));
        assertTrue(gone.getMessage().contains("closed"), gone.getMessage());
    }

    @Test
    void theWrongAgentIsRefused() throws Exception {
        Server server = server();
        Transport client = transport(CLIENT);
        HaulException wrong = assertThrows(HaulException.class, () -> closeLater(client.connect(server.address(), "gamma")));
        assertEquals("transport.wrong-peer", wrong.code());
        assertTrue(wrong.getMessage().contains("gamma") && wrong.getMessage().contains(SERVER), wrong.getMessage());
        assertEquals(null, server.accepted.poll(500, TimeUnit.MILLISECONDS), "the server handed over no connection");
    }

    @Test
    void withoutAnExpectedNameAnyAuthenticatedPeerIsAccepted() throws Exception {
        Server server = server();
        Connection connection = closeLater(transport(CLIENT).connect(server.address(), ""));
        assertEquals(SERVER, connection.peer().agentName());
        server.nextAccepted();
    }

    @Test
    void thePeerClosingEndsReceiveAndBulk() throws Exception {
        Pair pair = connect(server());
        pair.server().bulkOut().write(text("tail"));
        pair.server().bulkOut().flush();
        pair.server().send(text("last"));
        pair.server().close();
        assertArrayEquals(text("last"), pair.client().receive(Duration.ofSeconds(10)), "frames sent before close arrive");
        long start = System.nanoTime();
        IOException gone = assertThrows(IOException.class, () -> pair.client().receive(Duration.ofSeconds(20)));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 10_000, "at once, not after the timeout");
        assertTrue(gone.getMessage().contains("closed"), gone.getMessage());
        InputStream in = pair.client().bulkIn();
        assertArrayEquals(text("tail"), in.readNBytes(4), "bulk bytes sent before close arrive");
        IOException cut = assertThrows(IOException.class, in::read,
                "the bulk stream was not ended (bulkOut().close()): the connection's end is a failure there");
        assertTrue(cut.getMessage().contains("closed"), cut.getMessage());
        // sending on a connection the peer closed fails
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        IOException sendFailed = null;
        while (sendFailed == null && System.nanoTime() < until) {
            try {
                pair.client().send(text("anyone?"));
                Thread.sleep(50);
            } catch (IOException e) {
                sendFailed = e;
            }
        }
        assertNotNull(sendFailed, "send fails once the peer closed");
    }

    @Test
    void closingEndsOwnReceiveAtOnce() throws Exception {
        Pair pair = connect(server());
        pair.client().close();
        pair.client().close(); // twice is fine
        assertThrows(IOException.class, () -> pair.client().receive(Duration.ofSeconds(5)));
        assertThrows(IOException.class, () -> pair.client().send(text("x")));
        assertThrows(IOException.class, () -> pair.server().receive(Duration.ofSeconds(10)));
    }

    @Test
    void closingBulkOutEndsThePeersBulkInAndControlGoesOn() throws Exception {
        Pair pair = connect(server());
        byte[] data = new byte[100_000];
        new Random(7).nextBytes(data);
        OutputStream out = pair.client().bulkOut();
        out.write(data);
        out.close();
        assertThrows(IOException.class, () -> out.write(1), "writing after close fails");
        InputStream in = pair.server().bulkIn();
        assertArrayEquals(data, in.readNBytes(data.length));
        assertEquals(-1, in.read(), "end of the bulk stream");
        pair.client().send(text("control goes on"));
        assertArrayEquals(text("control goes on"), pair.server().receive(Duration.ofSeconds(10)));
    }

    @Test
    void aBulkStreamEndedBeforeTheConnectionClosedEndsCleanly() throws Exception {
        Pair pair = connect(server());
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(9).nextBytes(data);
        CompletableFuture<Void> server = CompletableFuture.runAsync(() -> {
            try {
                try (OutputStream out = pair.server().bulkOut()) {
                    out.write(data);
                }
                pair.server().send(text("bye"));
                pair.server().close(); // while the stream's last bytes are still on their way
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        InputStream in = pair.client().bulkIn();
        assertArrayEquals(data, in.readNBytes(data.length), "all of the stream, though the peer closed meanwhile");
        assertEquals(-1, in.read(), "then its end");
        server.get(30, TimeUnit.SECONDS);
        assertArrayEquals(text("bye"), pair.client().receive(Duration.ofSeconds(10)));
    }

    @Test
    void closingBulkInDropsWhatArrivesWithoutHoldingUpThePeer() throws Exception {
        Pair pair = connect(server());
        pair.server().bulkIn().close();
        assertThrows(IOException.class, () -> pair.server().bulkIn().read());
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = pair.client().bulkOut();
                out.write(new byte[32 * 1024 * 1024]);
                out.flush();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        writer.get(30, TimeUnit.SECONDS);
        pair.client().send(text("ok"));
        assertArrayEquals(text("ok"), pair.server().receive(Duration.ofSeconds(10)));
    }

    @Test
    void closingTheListenerStopsAcceptingButKeepsItsConnections() throws Exception {
        Server server = server();
        Pair pair = connect(server);
        InetSocketAddress address = server.address();
        server.listener.close();
        assertThrows(HaulException.class, () -> closeLater(transport(CLIENT).connect(address, SERVER)));
        pair.client().send(text("still connected"));
        assertArrayEquals(text("still connected"), pair.server().receive(Duration.ofSeconds(10)));
        pair.server().send(text("yes"));
        assertArrayEquals(text("yes"), pair.client().receive(Duration.ofSeconds(10)));
    }

    @Test
    void eachConnectionIsHandedOverOnceAndApart() throws Exception {
        Server server = server();
        Connection first = closeLater(transport(CLIENT).connect(server.address(), SERVER));
        Connection second = closeLater(transport(CLIENT).connect(server.address(), SERVER));
        Connection acceptedFirst = server.nextAccepted();
        Connection acceptedSecond = server.nextAccepted();
        first.send(text("one"));
        second.send(text("two"));
        List<String> got = new ArrayList<>();
        got.add(new String(acceptedFirst.receive(Duration.ofSeconds(10)), StandardCharsets.UTF_8));
        got.add(new String(acceptedSecond.receive(Duration.ofSeconds(10)), StandardCharsets.UTF_8));
        Collections.sort(got);
        assertEquals(List.of("one", "two"), got);
        assertEquals(null, server.accepted.poll(200, TimeUnit.MILLISECONDS));
    }

    @Test
    void connectingWhereNobodyListensFails() throws Exception {
        Server server = server();
        InetSocketAddress address = server.address();
        server.listener.close();
        HaulException failed = assertThrows(HaulException.class, () -> transport(CLIENT).connect(address, SERVER));
        assertTrue(failed.getMessage().contains(String.valueOf(address.getPort())), failed.getMessage());
    }
}
