package io.haul.itests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A client machine's view of a server that moves: a TCP connection made from a network namespace (hostC), a
 * numbered line sent every {@value #INTERVAL_MILLIS} ms and its echo checked to be the next number, so a byte
 * lost, repeated or reordered in either direction, or a reset, is seen; and the longest time between two echoes,
 * which is how long the client was cut off.
 */
public final class EchoClient implements AutoCloseable {

    static final long INTERVAL_MILLIS = 5;

    /**
     * What the client saw.
     *
     * @param sent         lines sent
     * @param echoed       echoes received, each the next number
     * @param longestGapMs the longest time between two echoes
     * @param broken       why the stream broke (a wrong echo, a reset, the end), "" while it did not
     */
    public record Report(long sent, long echoed, long longestGapMs, String broken) {
        public boolean intact() {
            return broken.isEmpty();
        }
    }

    private final Socket socket;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong echoed = new AtomicLong();
    private final AtomicLong longestGapNanos = new AtomicLong();
    private final AtomicReference<String> broken = new AtomicReference<>("");
    private final CountDownLatch readerDone = new CountDownLatch(1);
    private volatile boolean sending = true;
    private final Thread sender;
    private final Thread reader;

    private EchoClient(Socket socket) {
        this.socket = socket;
        this.sender = Thread.ofPlatform().daemon().name("echo-client-send").start(this::send);
        this.reader = Thread.ofPlatform().daemon().name("echo-client-read").start(this::read);
    }

    /** Connects from network namespace {@code netns} (a socket stays in the namespace it was made in). */
    public static EchoClient connect(String netns, String address, int port) throws Exception {
        Socket socket = NetNs.in(netns, () -> {
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(address, port), 10_000);
            return s;
        });
        return new EchoClient(socket);
    }

    private void send() {
        try {
            OutputStream out = socket.getOutputStream();
            long next = 1;
            while (sending) {
                out.write((next + "\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                sent.set(next++);
                Thread.sleep(INTERVAL_MILLIS);
            }
        } catch (IOException e) {
            broken.compareAndSet("", "sending failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void read() {
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            long last = System.nanoTime();
            while (true) {
                String line = in.readLine();
                if (line == null) {
                    broken.compareAndSet("", "the server ended the connection after echo " + echoed.get());
                    return;
                }
                long now = System.nanoTime();
                longestGapNanos.accumulateAndGet(now - last, Math::max);
                last = now;
                long expected = echoed.get() + 1;
                if (!line.equals(Long.toString(expected))) {
                    broken.compareAndSet("", "echo " + expected + " expected, '" + line + "' came");
                    return;
                }
                echoed.set(expected);
            }
        } catch (IOException e) {
            if (!socket.isClosed()) {
                broken.compareAndSet("", "reading failed after echo " + echoed.get() + ": " + e);
            }
        } finally {
            readerDone.countDown();
        }
    }

    /** Waits until more than {@code count} echoes came; false when the stream broke or the time passed. */
    public boolean awaitEchoes(long count, double seconds) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (echoed.get() <= count && broken.get().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(INTERVAL_MILLIS); // echoes come every few ms: polling the counter is as good as an event
        }
        return echoed.get() > count;
    }

    /**
     * Waits for more than {@code count} echoes, as {@link #awaitEchoes}, and fails with {@code what} and what the
     * client saw (a reset, the end of the stream, a wrong echo) when they do not come.
     */
    public void assertEchoes(String what, long count, double seconds) throws InterruptedException {
        if (!awaitEchoes(count, seconds)) {
            throw new AssertionError(what + ": " + echoed.get() + " of " + sent.get() + " lines echoed, wanted more "
                    + "than " + count + "; " + (broken.get().isEmpty() ? "no more came in " + seconds + " s"
                    : broken.get()));
        }
    }

    public long echoed() {
        return echoed.get();
    }

    /** Measures from now on: the longest gap so far is forgotten (the connection's start is not a migration's). */
    public void resetGap() {
        longestGapNanos.set(0);
    }

    /** Stops sending, waits up to 10 s for the last echoes, closes, and says what the client saw. */
    public Report stop() throws InterruptedException {
        sending = false;
        sender.join(10_000);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (echoed.get() < sent.get() && broken.get().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(INTERVAL_MILLIS);
        }
        close();
        readerDone.await(10, TimeUnit.SECONDS);
        String why = broken.get();
        if (why.isEmpty() && echoed.get() < sent.get()) {
            why = (sent.get() - echoed.get()) + " of " + sent.get() + " lines never came back";
        }
        return new Report(sent.get(), echoed.get(), longestGapNanos.get() / 1_000_000, why);
    }

    @Override
    public void close() {
        sending = false;
        try {
            socket.close();
        } catch (IOException e) {
            // closed either way
        }
        reader.interrupt();
    }
}
