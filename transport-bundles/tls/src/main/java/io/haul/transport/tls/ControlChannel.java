package io.haul.transport.tls;

import io.haul.api.transport.Transport;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The control connection: decodes frames on its event loop into an inbox that callers take from with
 * {@link #receive}, and writes frames for callers with {@link #write}, waiting while its write queue is full.
 * A frame header claiming more than the limit is a {@linkplain ChannelEvents#violation violation}: nothing
 * is allocated for it.
 */
final class ControlChannel {

    /** Above this many unread bytes in the inbox the socket is paused, and resumed below the low mark. */
    static final long INBOX_HIGH = 4L * Transport.MAX_FRAME_BYTES;
    static final long INBOX_LOW = Transport.MAX_FRAME_BYTES;

    private final NetSocket socket;
    private final ChannelEvents events;
    /** The first failure the socket reported, or its closing: what a refused client learns. */
    private final java.util.concurrent.CompletableFuture<Throwable> trouble = new java.util.concurrent.CompletableFuture<>();
    private volatile Throwable failure;

    // decoder state: event loop only
    private boolean awaitingAck;
    private boolean dead;
    private Buffer pending = Buffer.buffer();
    private int position;

    // the inbox: shared with callers
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<byte[]> frames = new ArrayDeque<>();
    private long queuedBytes;
    private boolean paused;
    /** Why nothing more comes, once the frames queued before are taken. */
    private String endReason;
    /** Why nothing more can be taken at all (this end closed). */
    private String abortReason;

    ControlChannel(NetSocket socket, boolean awaitingAck, ChannelEvents events, Buffer alreadyRead) {
        this.socket = socket;
        this.awaitingAck = awaitingAck;
        this.events = events;
        socket.handler(this::onData);
        socket.closeHandler(v -> {
            trouble.complete(new IOException("the peer closed the connection"));
            this.events.controlClosed();
        });
        socket.exceptionHandler(e -> {
            failure = e;
            trouble.complete(e);
        });
        socket.drainHandler(v -> signal());
        if (alreadyRead != null && alreadyRead.length() > 0) {
            onData(alreadyRead);
        }
    }

    NetSocket socket() {
        return socket;
    }

    /** The first exception the socket reported, waiting up to {@code timeout} for one; null when none came. */
    Throwable failure(java.time.Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (failure == null && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        return failure;
    }

    /** What went wrong with the socket, waiting up to {@code timeout} for it; null when nothing did. */
    Throwable trouble(java.time.Duration timeout) {
        try {
            return trouble.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return null;
        }
    }

    // ---- event loop ------------------------------------------------------------------------------------

    private void onData(Buffer data) {
        if (dead) {
            return;
        }
        if (position == pending.length()) {
            pending = Buffer.buffer(data.length()).appendBuffer(data);
            position = 0;
        } else {
            pending.appendBuffer(data);
        }
        while (!dead) {
            int available = pending.length() - position;
            if (awaitingAck) {
                if (available < Wire.ACK_BYTES) {
                    break;
                }
                boolean ok = pending.getInt(position) == Wire.MAGIC && pending.getByte(position + 4) == Wire.VERSION
                        && pending.getByte(position + 5) == Wire.ACCEPTED;
                position += Wire.ACK_BYTES;
                if (!ok) {
                    fail("the peer's handshake answer is not a Haul transport's");
                    break;
                }
                awaitingAck = false;
                events.accepted();
                continue;
            }
            if (available < 4) {
                break;
            }
            int length = pending.getInt(position);
            if (length == Wire.BULK_END) {
                if (available < 12) {
                    break;
                }
                long total = pending.getLong(position + 4);
                position += 12;
                events.bulkEnd(total);
                continue;
            }
            if (length < 0 || length > Transport.MAX_FRAME_BYTES) {
                fail("the peer sent a control frame of " + Integer.toUnsignedString(length)
                        + " bytes, over the limit of " + Transport.MAX_FRAME_BYTES + " bytes");
                break;
            }
            if (available < 4 + length) {
                break; // the rest of the frame is on its way
            }
            byte[] frame = new byte[length];
            pending.getBytes(position + 4, position + 4 + length, frame);
            position += 4 + length;
            offer(frame);
        }
        if (position == pending.length()) {
            pending = Buffer.buffer();
            position = 0;
        } else if (position > 64 * 1024) {
            pending = pending.getBuffer(position, pending.length());
            position = 0;
        }
    }

    private void fail(String reason) {
        dead = true;
        pending = Buffer.buffer();
        position = 0;
        events.violation(reason);
    }

    private void offer(byte[] frame) {
        lock.lock();
        try {
            if (abortReason != null) {
                return;
            }
            frames.add(frame);
            queuedBytes += frame.length;
            if (queuedBytes > INBOX_HIGH && !paused) {
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

    // ---- callers ---------------------------------------------------------------------------------------

    byte[] receive(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        lock.lock();
        try {
            while (true) {
                if (abortReason != null) {
                    throw new IOException(abortReason);
                }
                byte[] frame = frames.poll();
                if (frame != null) {
                    queuedBytes -= frame.length;
                    if (paused && queuedBytes < INBOX_LOW) {
                        paused = false;
                        socket.resume();
                    }
                    return frame;
                }
                if (endReason != null) {
                    throw new IOException(endReason);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new SocketTimeoutException("no control frame within " + timeout.toMillis() + " ms");
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a control frame");
        } finally {
            lock.unlock();
        }
    }

    /** Writes once the socket's write queue has room; fails once the connection ended. */
    void write(Buffer data) throws IOException {
        lock.lock();
        try {
            while (socket.writeQueueFull() && endReason == null && abortReason == null) {
                changed.await(50, TimeUnit.MILLISECONDS);
            }
            String closed = abortReason != null ? abortReason : endReason;
            if (closed != null) {
                throw new IOException(closed);
            }
            socket.write(data);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while sending a control frame");
        } finally {
            lock.unlock();
        }
    }

    /** No frames will come any more: callers get {@code reason} after the queued frames, or at once. */
    void end(String reason, boolean immediately) {
        lock.lock();
        try {
            if (endReason == null) {
                endReason = reason;
            }
            if (immediately && abortReason == null) {
                abortReason = reason;
                frames.clear();
                queuedBytes = 0;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
