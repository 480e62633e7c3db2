package io.haul.engine;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes in slices small enough that a slow but moving link shows progress to the watchdog (and lets a
 * cancel through) between slices: one large write may block longer than the step timeout on a slow link.
 */
final class WatchedOutputStream extends FilterOutputStream {

    private static final int SLICE = 64 * 1024;

    private final Runnable afterSlice;

    WatchedOutputStream(OutputStream out, Runnable afterSlice) {
        super(out);
        this.afterSlice = afterSlice;
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        while (length > 0) {
            int slice = Math.min(length, SLICE);
            out.write(bytes, offset, slice);
            afterSlice.run();
            offset += slice;
            length -= slice;
        }
    }

    /** Closing the wire is the connection's business. */
    @Override
    public void close() throws IOException {
        flush();
    }
}
