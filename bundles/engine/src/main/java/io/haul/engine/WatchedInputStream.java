package io.haul.engine;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Tells the watchdog about every byte that arrives, so only a transfer that stops moving is cut. */
final class WatchedInputStream extends FilterInputStream {

    private final Watchdog watchdog;

    WatchedInputStream(InputStream in, Watchdog watchdog) {
        super(in);
        this.watchdog = watchdog;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        watchdog.moved();
        return b;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        int n = in.read(bytes, offset, length);
        watchdog.moved();
        return n;
    }
}
