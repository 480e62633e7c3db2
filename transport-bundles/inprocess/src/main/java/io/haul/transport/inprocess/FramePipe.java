package io.haul.transport.inprocess;

import io.haul.api.transport.Transport;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Control frames one way. Each entry carries the length its "header" claims, which the receiving end
 * checks before taking the payload, as a reader of a byte stream would. Senders block while more than
 * {@link #MAX_QUEUED_BYTES} wait unread.
 */
final class FramePipe {

    static final long MAX_QUEUED_BYTES = 4L * Transport.MAX_FRAME_BYTES;

    private record Frame(int claimedLength, byte[] payload) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Frame> frames = new ArrayDeque<>();
    private long queuedBytes;
    /** Why no more frames come, once the sending end is gone (read after the queued frames). */
    private String endReason;
    /** Why the receiving end cannot receive any more (it closed, or refused a frame). */
    private String receiverGone;

    void send(byte[] frame) throws IOException {
        put(new Frame(frame.length, frame.clone()));
    }

    /** A header claiming {@code claimedLength} without a payload: what a broken peer would send. */
    void sendHeaderOnly(int claimedLength) throws IOException {
        put(new Frame(claimedLength, new byte[0]));
    }

    private void put(Frame frame) throws IOException {
        lock.lock();
        try {
            while (queuedBytes > 0 && queuedBytes + frame.payload().length > MAX_QUEUED_BYTES
                    && receiverGone == null && endReason == null) {
                changed.await();
            }
            if (receiverGone != null) {
                throw new IOException(receiverGone);
            }
            if (endReason != null) {
                throw new IOException("connection closed");
            }
            frames.add(frame);
            queuedBytes += frame.payload().length;
            changed.signalAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while sending a control frame");
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next frame. Throws when none came within the timeout, after the sender's end closed (all queued
     * frames first), and when the frame's header claims more than the limit (the pipe is then closed, with
     * {@code onOversized} told why).
     */
    byte[] receive(Duration timeout, java.util.function.IntConsumer onOversized) throws IOException {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        lock.lock();
        try {
            while (true) {
                if (receiverGone != null) {
                    throw new IOException(receiverGone);
                }
                Frame frame = frames.poll();
                if (frame != null) {
                    queuedBytes -= frame.payload().length;
                    changed.signalAll();
                    if (frame.claimedLength() > Transport.MAX_FRAME_BYTES || frame.claimedLength() < 0) {
                        receiverGone = "connection closed: the peer sent a control frame of "
                                + Integer.toUnsignedString(frame.claimedLength()) + " bytes, over the limit of "
                                + Transport.MAX_FRAME_BYTES + " bytes";
                        onOversized.accept(frame.claimedLength());
                        throw new IOException(receiverGone);
                    }
                    return frame.payload();
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

    /** The sending end is gone: the receiver reads what is queued, then {@code reason}. */
    void endOfSender(String reason) {
        lock.lock();
        try {
            if (endReason == null) {
                endReason = reason;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The receiving end is gone: it receives nothing more, senders fail with {@code reason}. */
    void receiverGone(String reason) {
        lock.lock();
        try {
            if (receiverGone == null) {
                receiverGone = reason;
            }
            frames.clear();
            queuedBytes = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
