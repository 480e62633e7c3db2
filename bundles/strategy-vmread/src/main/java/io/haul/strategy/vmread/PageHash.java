package io.haul.strategy.vmread;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * A 64-bit fingerprint of a 4 KiB page for change detection between rounds: the CRC32C of each half, which the
 * JIT turns into the CPU's crc32 instruction (several GB/s, far faster than the copy out of the other process).
 *
 * <p>It is not collision-safe, and need not be. A changed page whose fingerprint happens to equal the old one
 * (about one in 2^32 for a change confined to one half) is only not offered in this round; the page is still
 * in the process, so the final dump writes it, and the final dump names a page by what the destination holds
 * only when its own bytes have the fingerprint of content pre-copy pushed (else by their SHA-256): the stale
 * page's new content was never pushed, so it is simply sent then, in the frozen window. A miss costs a page of
 * downtime, never correctness.
 *
 * <p>Not thread-safe: one instance per reader.
 */
final class PageHash {

    /** Fingerprint 0 means "never offered", so no page may hash to it. */
    static final long NEVER = 0;

    private static final int HALF = (int) VmReadPreCopy.PAGE / 2;

    private final CRC32C crc = new CRC32C();

    /** The fingerprint of the page at {@code offset} of a direct {@code buffer}, whose position and limit change. */
    long of(ByteBuffer buffer, int offset) {
        crc.reset();
        buffer.clear().position(offset).limit(offset + HALF);
        crc.update(buffer);
        long high = crc.getValue();
        crc.reset();
        buffer.limit(offset + 2 * HALF);
        crc.update(buffer);
        long fingerprint = (high << 32) | crc.getValue();
        return fingerprint == NEVER ? 1 : fingerprint;
    }
}
