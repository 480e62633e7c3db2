package io.haul.transport.tls;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * The bulk connection, bridged to blocking streams for callers' threads. Incoming data is queued up to
 * {@link #INPUT_HIGH} bytes, then the socket is paused (TCP then holds up the sender) until the reader
 * drained it below {@link #INPUT_LOW}. Outgoing data is written in {@link #CHUNK} pieces, each once the
 * socket's write queue has room again. The end of the stream travels on the control connection with its
 * length (see {@link Wire}), so the input ends exactly there whichever connection is read first.
 */
final class BulkChannel {

    static final int CHUNK = 64 * 1024;
    static final long INPUT_HIGH = 8L * 1024 * 1024;
    static final long INPUT_LOW = 2L * 1024 * 1024;
    static final int WRITE_QUEUE_MAX = 4 * 1024 * 1024;

    private final NetSocket socket;
    private final ChannelEvents events;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    // input
    private final ArrayDeque<Buffer> chunks = new ArrayDeque<>();
    private int headPosition;
    private long queued;
    private long consumed;
    private long endsAt = -1;
    private boolean paused;
    private boolean inputClosed;
    private String inputFailure;
    private boolean inputFailsAtOnce;
    /** The socket closed: no more bytes come (set before the event is reported). */
    private boolean socketClosed;

    // output
    private final byte[] stage = new byte[CHUNK];
    private int staged;
    private long written;
    private boolean outputClosed;
    private String outputFailure;
    private LongConsumer endOfOutput;

    final InputStream in = new Input();
    final OutputStream out = new Output();

    BulkChannel(NetSocket socket, ChannelEvents events, Buffer alreadyRead) {
        this.socket = socket;
        this.events = events;
        socket.setWriteQueueMaxSize(WRITE_QUEUE_MAX);
        socket.handler(this::onData);
        socket.closeHandler(v -> {
            lock.lock();
            try {
                socketClosed = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            this.events.bulkClosed();
        });
        socket.drainHandler(v -> signal());
        if (alreadyRead != null && alreadyRead.length() > 0) {
            onData(alreadyRead);
        }
    }

    NetSocket socket() {
        return socket;
    }

    /** What closing the output stream does after its last bytes went out: announce the total to the peer. */
    void onEndOfOutput(LongConsumer endOfOutput) {
        this.endOfOutput = endOfOutput;
    }

    // ---- event loop ------------------------------------------------------------------------------------

    private void onData(Buffer data) {
        lock.lock();
        try {
            if (inputClosed || inputFailsAtOnce) {
                consumed += data.length(); // nobody reads any more: drop, so the peer is not held up
                return;
            }
            chunks.add(data);
            queued += data.length();
            if (queued >= INPUT_HIGH && !paused) {
                paused = true;
                socket.pause();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The peer's stream ends after {@code total} bytes. */
    void endsAt(long total) {
        lock.lock();
        try {
            endsAt = total;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The connection ended: reads fail with {@code reason} once the bytes still coming were read (or at
     * once), unless the stream's end was reached; writes fail at once.
     */
    void fail(String reason, boolean immediately) {
        lock.lock();
        try {
            if (inputFailure == null) {
                inputFailure = reason;
            }
            if (immediately) {
                inputFailsAtOnce = true;
                chunks.clear();
                queued = 0;
            }
            if (outputFailure == null) {
                outputFailure = reason;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- callers ---------------------------------------------------------------------------------------

    private int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            while (true) {
                if (inputClosed) {
                    throw new IOException("bulk input closed");
                }
                if (inputFailsAtOnce) {
                    throw new IOException(inputFailure);
                }
                Buffer head = chunks.peek();
                if (head != null) {
                    int n = Math.min(len, head.length() - headPosition);
                    head.getBytes(headPosition, headPosition + n, b, off);
                    headPosition += n;
                    if (headPosition == head.length()) {
                        chunks.poll();
                        headPosition = 0;
                    }
                    queued -= n;
                    consumed += n;
                    if (paused && queued <= INPUT_LOW) {
                        paused = false;
                        socket.resume();
                    }
                    return n;
                }
                if (endsAt >= 0 && consumed >= endsAt) {
                    return -1;
                }
                // once the connection ended, bytes still on their way are read before the failure
                if (inputFailure != null && socketClosed) {
                    throw new IOException(endsAt >= 0 ? inputFailure + " (after " + consumed + " of the "
                            + endsAt + " bytes of the bulk stream)" : inputFailure);
                }
                changed.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading bulk data");
        } finally {
            lock.unlock();
        }
    }

    private int available() {
        lock.lock();
        try {
            return (int) Math.min(Integer.MAX_VALUE, queued);
        } finally {
            lock.unlock();
        }
    }

    private void closeInput() {
        lock.lock();
        try {
            inputClosed = true;
            chunks.clear();
            consumed += queued;
            queued = 0;
            if (paused) {
                paused = false;
                socket.resume();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        lock.lock();
        try {
            checkOutput();
            while (len > 0) {
                int n = Math.min(len, CHUNK - staged);
                System.arraycopy(b, off, stage, staged, n);
                staged += n;
                off += n;
                len -= n;
                if (staged == CHUNK) {
                    push();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void checkOutput() throws IOException {
        if (outputFailure != null) {
            throw new IOException(outputFailure);
        }
        if (outputClosed) {
            throw new IOException("bulk output closed");
        }
    }

    /** Hands the staged bytes to the socket once its write queue has room. Holds the lock. */
    private void push() throws IOException {
        if (staged == 0) {
            return;
        }
        try {
            while (socket.writeQueueFull() && outputFailure == null) {
                // the drain handler signals; the timeout only covers a drain between the check and the wait
                changed.await(50, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing bulk data");
        }
        if (outputFailure != null) {
            throw new IOException(outputFailure);
        }
        byte[] copy = new byte[staged];
        System.arraycopy(stage, 0, copy, 0, staged);
        socket.write(Buffer.buffer(copy));
        written += staged;
        staged = 0;
    }

    private void flush() throws IOException {
        lock.lock();
        try {
            checkOutput();
            push();
        } finally {
            lock.unlock();
        }
    }

    private void closeOutput() throws IOException {
        long total;
        lock.lock();
        try {
            if (outputClosed) {
                return;
            }
            if (outputFailure != null) {
                outputClosed = true;
                throw new IOException(outputFailure);
            }
            push();
            outputClosed = true;
            total = written;
        } finally {
            lock.unlock();
        }
        endOfOutput.accept(total);
    }

    private final class Input extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return BulkChannel.this.read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return BulkChannel.this.read(b, off, len);
        }

        @Override
        public int available() {
            return BulkChannel.this.available();
        }

        /** Stops reading: what arrives from now on is dropped, so the peer is not held up. */
        @Override
        public void close() {
            closeInput();
        }
    }

    private final class Output extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            BulkChannel.this.write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            BulkChannel.this.write(b, off, len);
        }

        /** Hands what is buffered here to the connection (without waiting for the peer to read it). */
        @Override
        public void flush() throws IOException {
            BulkChannel.this.flush();
        }

        /** Ends the bulk stream: the peer reads the bytes written so far, then the end (-1). */
        @Override
        public void close() throws IOException {
            closeOutput();
        }
    }
}
