package io.haul.pages;

import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Writes pre-copy pages to a stream, each with its hash, in the format {@link PagePushReader} reads:
 * <pre>
 *   int   0x48505031 ("HPP1")                          once, before the first entry
 *   byte  0x01, long hashHi, long hashLo, encoding      a page: its {@link PageHash}, then its {@link PageCodec} encoding
 *   byte  0x7F, long pages                              the end: how many page entries came before
 * </pre>
 * Big-endian, as {@link java.io.DataOutput} writes. Buffered (64 KiB): {@link #flush()} or {@link #end()} sends
 * what is buffered; the caller's stream is never closed. Not thread-safe.
 */
public final class PagePushWriter implements Flushable {

    static final int MAGIC = 0x48505031;
    static final int PAGE_TAG = 0x01;
    static final int END_TAG = 0x7F;

    private final Sink out;
    private final PageCodec codec = new PageCodec();
    private final byte[] encoded = new byte[PageCodec.MAX_ENCODED_BYTES];
    private boolean started;
    private boolean ended;
    private long pages;

    public PagePushWriter(OutputStream out) {
        this.out = new Sink(Objects.requireNonNull(out, "out"), 1 << 16);
    }

    /** Writes one page (exactly 4096 bytes) under {@code hash}, which the caller computed; returns its form. */
    public PageCodec.Kind push(PageHash hash, byte[] page) throws IOException {
        if (page.length != PageHasher.PAGE_SIZE) {
            throw new IllegalArgumentException("a page is " + PageHasher.PAGE_SIZE + " bytes, not " + page.length);
        }
        return push(hash, page, 0);
    }

    /** Writes the 4096 bytes of {@code page} from {@code off} under {@code hash}; returns the form it took. */
    public PageCodec.Kind push(PageHash hash, byte[] page, int off) throws IOException {
        start();
        int n = codec.encode(page, off, encoded, 0);
        out.writeByte(PAGE_TAG);
        out.writeLong(hash.hi());
        out.writeLong(hash.lo());
        out.write(encoded, 0, n);
        pages++;
        return PageCodec.kindOf(encoded[0]);
    }

    /** Sends what is buffered. */
    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** Writes the end marker and flushes; returns the bytes written in all. No push may follow. */
    public long end() throws IOException {
        start();
        out.writeByte(END_TAG);
        out.writeLong(pages);
        out.flush();
        ended = true;
        return out.count();
    }

    /** Pages written so far. */
    public long pages() {
        return pages;
    }

    /** Bytes written so far (buffered ones included). */
    public long bytesWritten() {
        return out.count();
    }

    private void start() throws IOException {
        if (ended) {
            throw new IllegalStateException("the push stream has ended");
        }
        if (!started) {
            out.writeInt(MAGIC);
            started = true;
        }
    }
}
