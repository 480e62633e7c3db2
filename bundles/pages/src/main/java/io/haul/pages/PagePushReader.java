package io.haul.pages;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a stream that {@link PagePushWriter} wrote into a {@link PageStore}: decodes each page, checks that
 * its content hashes to the hash it came with, and stores it. Reads exactly up to the end marker and no further
 * (so the stream can carry more after it); for speed, hand it a buffered stream.
 */
public final class PagePushReader {

    /** What a push stream brought: page entries, pages new to the store, zero pages among them, bytes read. */
    public record Counts(long pages, long added, long zeros, long bytesRead) {
    }

    private static final int PAGE = PageHasher.PAGE_SIZE;

    private PagePushReader() {
    }

    /**
     * Stores every page of the stream until its end marker. A bad magic number, tag or encoding, a page whose
     * content does not match its hash, an end marker whose count differs, or a stream that ends early is a
     * {@link PageStreamException}; the pages stored before it stay (each was checked).
     */
    public static Counts readAll(InputStream in, PageStore store) throws IOException {
        CountingInput counted = new CountingInput(in);
        DataInputStream data = new DataInputStream(counted);
        PageCodec codec = new PageCodec();
        PageHasher hasher = new PageHasher();
        byte[] page = new byte[PAGE];
        long pages = 0;
        long added = 0;
        long zeros = 0;
        try {
            int magic = data.readInt();
            if (magic != PagePushWriter.MAGIC) {
                throw new PageStreamException(PageStreamException.Reason.MALFORMED,
                        "not a page push stream (it starts with 0x" + Integer.toHexString(magic) + ")");
            }
            while (true) {
                int tag = data.readUnsignedByte();
                if (tag == PagePushWriter.END_TAG) {
                    long declared = data.readLong();
                    if (declared != pages) {
                        throw new PageStreamException(PageStreamException.Reason.MALFORMED,
                                "the page push stream's end marker counts " + declared + " pages, " + pages + " came");
                    }
                    return new Counts(pages, added, zeros, counted.count());
                }
                if (tag != PagePushWriter.PAGE_TAG) {
                    throw new PageStreamException(PageStreamException.Reason.MALFORMED, "unknown entry tag 0x"
                            + Integer.toHexString(tag) + " in a page push stream after " + pages + " pages");
                }
                PageHash hash = PageHash.readFrom(data);
                PageCodec.Kind kind;
                try {
                    kind = codec.decode(data, page, 0);
                } catch (PageStreamException e) {
                    throw new PageStreamException(e.reason(), null,
                            "page " + hash + " of a page push stream: " + e.getMessage(), e);
                }
                pages++;
                if (kind == PageCodec.Kind.ZERO) {
                    zeros++;
                }
                if (store.contains(hash)) {
                    continue;
                }
                PageHash actual = kind == PageCodec.Kind.ZERO ? PageHash.ZERO_PAGE : hasher.hash(page, 0);
                if (!actual.equals(hash)) {
                    throw new PageStreamException(PageStreamException.Reason.HASH_MISMATCH, "page " + hash
                            + " of a page push stream has content that hashes to " + actual);
                }
                if (store.put(hash, page, 0)) {
                    added++;
                }
            }
        } catch (EOFException e) {
            throw new PageStreamException(PageStreamException.Reason.TRUNCATED, null,
                    "the page push stream ended after " + pages + " pages, before its end marker", e);
        }
    }
}
