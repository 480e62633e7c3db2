package io.haul.pages;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.HexFormat;

/**
 * The name of a 4 KiB page by its content: the first 128 bits of the SHA-256 of its 4096 bytes, {@code hi}
 * the first 8 bytes (big-endian), {@code lo} the next 8.
 *
 * <p>Why 128 bits are collision-safe here: pages are not chosen to collide by anyone who gains from it (a
 * container can only make its own pages collide, and so only damage itself), so what matters is the chance
 * of an accidental collision among all the pages a store ever holds. For n pages it is at most
 * n&sup2;/2<sup>129</sup>: with 2<sup>32</sup> pages (16 TiB of distinct memory in one migration) about
 * 2<sup>-65</sup>, far below the rate of undetected memory or disk errors. Even a deliberate collision would
 * cost about 2<sup>64</sup> SHA-256 evaluations (the generic birthday bound; no shortcut is known for
 * truncated SHA-256), and a deliberate second preimage of a given page 2<sup>128</sup>. On top of that every
 * rebuilt image is checked against the original file's {@link FileCheck} value, which an accidental collision
 * (a whole other page) changes but for a chance of 2<sup>-64</sup>: it would make a migration fail and roll
 * back rather than restore wrong memory. Keeping 16 bytes instead of 32 halves the index
 * and the reference entries on the wire.
 */
public record PageHash(long hi, long lo) {

    /** Bytes of a hash on the wire. */
    public static final int BYTES = 16;

    /** The hash of the page of 4096 zero bytes. */
    public static final PageHash ZERO_PAGE = new PageHasher().hash(new byte[PageHasher.PAGE_SIZE]);

    /** The hash whose 16 bytes start at {@code off} (a SHA-256 digest or a hash on the wire). */
    public static PageHash of(byte[] bytes, int off) {
        return new PageHash(Bytes.getLong(bytes, off), Bytes.getLong(bytes, off + 8));
    }

    /** The hash of 32 hex digits (as {@link #toString()} writes). */
    public static PageHash parse(String hex) {
        if (hex.length() != 2 * BYTES) {
            throw new IllegalArgumentException("a page hash has 32 hex digits, not " + hex.length());
        }
        return of(HexFormat.of().parseHex(hex), 0);
    }

    /** Reads the 16 bytes that {@link #writeTo} writes. */
    public static PageHash readFrom(DataInput in) throws IOException {
        long hi = in.readLong();
        return new PageHash(hi, in.readLong());
    }

    /** Writes the 16 bytes, big-endian. */
    public void writeTo(DataOutput out) throws IOException {
        out.writeLong(hi);
        out.writeLong(lo);
    }

    /** Writes the 16 bytes at {@code off}. */
    public void writeTo(byte[] bytes, int off) {
        Bytes.putLong(bytes, off, hi);
        Bytes.putLong(bytes, off + 8, lo);
    }

    /** 32 lowercase hex digits. */
    @Override
    public String toString() {
        HexFormat hex = HexFormat.of();
        return hex.toHexDigits(hi) + hex.toHexDigits(lo);
    }
}
