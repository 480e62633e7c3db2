package io.haul.pages;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The end-to-end check of a page image rebuilt from a recipe: 64 bits over every byte of the file, the CRC32C of
 * the first halves of its pages and the CRC32C of the second halves (a last, partial page counts as a first
 * half). The JIT turns CRC32C into the CPU's carry-less multiply: about 16 ms per GiB here, against 590 ms for
 * the SHA-256 of the whole file it replaces, which both sides computed on one thread inside the frozen window.
 *
 * <p>Why this is enough. What a page is, is settled by SHA-256 already: the source names each page by the hash
 * of its own bytes, and the destination's store takes a page only after hashing it (pushes and literals alike),
 * so a reference can only resolve to content with that hash ({@link PageHash} on collisions). What is left to
 * catch is an accident between the store and the file: a bug that copies the wrong slot or a stale buffer, a
 * damaged spill file, a short write. Such damage is not chosen to fool a checksum, and a CRC detects every
 * error burst of up to 32 bits and misses a random change with probability 2<sup>-32</sup> per half; a whole
 * page in the wrong place changes both halves, so 2<sup>-64</sup>. A mismatch fails the migration before
 * restore, which then rolls back.
 *
 * <p>Fed in file order, in pieces that start at page boundaries. Not thread-safe.
 */
final class FileCheck {

    private static final int PAGE = PageHasher.PAGE_SIZE;
    private static final int HALF = PAGE / 2;

    private final CRC32C firstHalves = new CRC32C();
    private final CRC32C secondHalves = new CRC32C();

    /** Adds {@code length} bytes of the file from {@code off}; the piece starts at a page boundary of the file. */
    void update(byte[] bytes, int off, int length) {
        int end = off + length;
        int at = off;
        for (; at + PAGE <= end; at += PAGE) {
            firstHalves.update(bytes, at, HALF);
            secondHalves.update(bytes, at + HALF, HALF);
        }
        if (at < end) {
            firstHalves.update(bytes, at, end - at); // the partial last page: only the file's very end has one
        }
    }

    /** The same for {@code length} bytes of {@code bytes} from its index {@code off} (its position and limit stay). */
    void update(ByteBuffer bytes, int off, int length) {
        ByteBuffer piece = bytes.duplicate();
        int end = off + length;
        int at = off;
        for (; at + PAGE <= end; at += PAGE) {
            firstHalves.update(piece.limit(at + HALF).position(at));
            secondHalves.update(piece.limit(at + PAGE).position(at + HALF));
        }
        if (at < end) {
            firstHalves.update(piece.limit(end).position(at));
        }
    }

    /** The check value of everything added. */
    long value() {
        return firstHalves.getValue() << 32 | secondHalves.getValue();
    }
}
