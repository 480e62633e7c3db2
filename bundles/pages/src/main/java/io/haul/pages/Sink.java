package io.haul.pages;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A buffered, counting writer of the formats' big-endian fields (the DataOutput encoding) over a caller's
 * stream, without DataOutputStream's int counter or BufferedOutputStream's lock per call.
 */
final class Sink {

    private final OutputStream out;
    private final byte[] buffer;
    private int used;
    private long flushed;

    Sink(OutputStream out, int bufferBytes) {
        this.out = out;
        this.buffer = new byte[bufferBytes];
    }

    void writeByte(int value) throws IOException {
        room(1);
        buffer[used++] = (byte) value;
    }

    void writeInt(int value) throws IOException {
        room(4);
        buffer[used++] = (byte) (value >>> 24);
        buffer[used++] = (byte) (value >>> 16);
        buffer[used++] = (byte) (value >>> 8);
        buffer[used++] = (byte) value;
    }

    void writeShort(int value) throws IOException {
        room(2);
        Bytes.putShort(buffer, used, value);
        used += 2;
    }

    void writeLong(long value) throws IOException {
        room(8);
        Bytes.putLong(buffer, used, value);
        used += 8;
    }

    void write(byte[] bytes, int off, int len) throws IOException {
        if (len > buffer.length) {
            drain();
            out.write(bytes, off, len);
            flushed += len;
            return;
        }
        room(len);
        System.arraycopy(bytes, off, buffer, used, len);
        used += len;
    }

    /** Bytes written so far, buffered ones included. */
    long count() {
        return flushed + used;
    }

    void flush() throws IOException {
        drain();
        out.flush();
    }

    private void room(int n) throws IOException {
        if (buffer.length - used < n) {
            drain();
        }
    }

    private void drain() throws IOException {
        if (used > 0) {
            out.write(buffer, 0, used);
            flushed += used;
            used = 0;
        }
    }
}
