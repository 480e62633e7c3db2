package io.haul.transport.inprocess;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bulk bytes one way through a bounded ring buffer: the writer blocks while it is full (flow control), the
 * reader while it is empty; closing the writing side gives the reader the end of the stream after the
 * buffered bytes.
 */
final class BulkPipe {

    static final int CAPACITY = 1024 * 1024;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final byte[] ring = new byte[CAPACITY];
    private int head;
    private int size;
    private boolean writerClosed;
    private boolean discarding;
    private String readerGone;
    private String writerGone;

    final OutputStream out = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            BulkPipe.this.write(b, off, len);
        }

        @Override
        public void close() {
            closeWriter();
        }
    };

    final InputStream in = new InputStream() {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            return BulkPipe.this.read(b, off, len);
        }

        @Override
        public int available() {
            lock.lock();
            try {
                return size;
            } finally {
                lock.unlock();
            }
        }

        /** Stops reading: what the peer writes from now on is dropped, so it is not held up. */
        @Override
        public void close() {
            lock.lock();
            try {
                discarding = true;
                size = 0;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    };

    private void write(byte[] b, int off, int len) throws IOException {
        lock.lock();
        try {
            while (len > 0) {
                while (size == CAPACITY && readerGone == null && writerGone == null && !writerClosed && !discarding) {
                    changed.await();
                }
                if (writerGone != null) {
                    throw new IOException(writerGone);
                }
                if (writerClosed) {
                    throw new IOException("bulk output closed");
                }
                if (readerGone != null) {
                    throw new IOException(readerGone);
                }
                if (discarding) {
                    return; // the reader closed its input: what it would not read is dropped
                }
                int tail = (head + size) % CAPACITY;
                int n = Math.min(len, Math.min(CAPACITY - size, CAPACITY - tail));
                System.arraycopy(b, off, ring, tail, n);
                size += n;
                off += n;
                len -= n;
                changed.signalAll();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing bulk data");
        } finally {
            lock.unlock();
        }
    }

    private int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            while (size == 0 && !writerClosed && writerGone == null && readerGone == null && !discarding) {
                changed.await();
            }
            if (discarding) {
                throw new IOException("bulk input closed");
            }
            if (readerGone != null) {
                throw new IOException(readerGone);
            }
            if (size == 0) {
                if (writerGone != null && !writerClosed) {
                    throw new IOException(writerGone); // the connection ended before the stream did
                }
                return -1;
            }
            int n = Math.min(len, Math.min(size, CAPACITY - head));
            System.arraycopy(ring, head, b, off, n);
            head = (head + n) % CAPACITY;
            size -= n;
            changed.signalAll();
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading bulk data");
        } finally {
            lock.unlock();
        }
    }

    /** The writing side ends the stream: the reader gets what is buffered, then the end. */
    void closeWriter() {
        lock.lock();
        try {
            writerClosed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The reading side is gone: the writer fails with {@code reason}; buffered bytes are dropped. */
    void readerGone(String reason) {
        lock.lock();
        try {
            if (readerGone == null) {
                readerGone = reason;
            }
            size = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The writing side's connection closed: a writer still blocked fails with {@code reason}, and so does
     * the reader after the buffered bytes, unless the stream had ended.
     */
    void writerGone(String reason) {
        lock.lock();
        try {
            if (writerGone == null) {
                writerGone = reason;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
