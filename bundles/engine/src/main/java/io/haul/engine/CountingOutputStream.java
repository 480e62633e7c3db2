package io.haul.engine;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Counts what really goes on the wire, for the migration's figures. */
final class CountingOutputStream extends FilterOutputStream {

    private volatile long count;

    CountingOutputStream(OutputStream out) {
        super(out);
    }

    long count() {
        return count;
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        count++;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
        count += length;
    }

    /** Closing the wire is the connection's business, not a stream user's. */
    @Override
    public void close() throws IOException {
        flush();
    }
}
