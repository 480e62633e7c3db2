package io.haul.pages;

import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * A 128-bit fingerprint of a 4 KiB page: the CRC32C of each of its four quarters. The JIT turns CRC32C into the
 * CPU's carry-less multiply: 50-120 ms per GiB here against 1.0-1.5 s for the page's SHA-256 on one core (both
 * measured under the shared machine's load), so the final dump can tell a page pre-copy already pushed without
 * hashing it again ({@link KnownPages}).
 *
 * <p>What it is worth: a CRC detects every change of up to 32 bits in a piece and misses a random change with
 * probability 2<sup>-32</sup> per quarter; a different page has the same fingerprint only if its difference from
 * the other is, in each of the four quarters, a multiple of CRC32C's polynomial: about 2<sup>-128</sup> for
 * content not made for it. It is not collision-safe against content made to collide (CRC is linear); only the
 * migrated tree's own pages are compared with each other, so such content can only spoil the tree's own memory.
 *
 * <p>Not thread-safe: one per thread; computing allocates nothing.
 */
public final class PageFingerprint {

    private static final int PAGE = PageHasher.PAGE_SIZE;
    private static final int QUARTER = PAGE / 4;

    private final CRC32C crc = new CRC32C();
    private long hi;
    private long lo;

    /** Fingerprints the 4096 bytes of {@code page} from {@code off}; read the result with {@link #hi()}, {@link #lo()}. */
    public PageFingerprint of(byte[] page, int off) {
        Objects.checkFromIndexSize(off, PAGE, page.length);
        hi = quarter(page, off) << 32 | quarter(page, off + QUARTER);
        lo = quarter(page, off + 2 * QUARTER) << 32 | quarter(page, off + 3 * QUARTER);
        return this;
    }

    /** The first 64 bits of the last fingerprint. */
    public long hi() {
        return hi;
    }

    /** The last 64 bits of the last fingerprint. */
    public long lo() {
        return lo;
    }

    private long quarter(byte[] page, int off) {
        crc.reset();
        crc.update(page, off, QUARTER);
        return crc.getValue();
    }
}
