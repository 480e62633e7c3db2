package io.haul.pages;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;

/**
 * Hashes 4 KiB pages into {@link PageHash}es with SHA-256 (the JDK's, which uses the CPU's SHA instructions
 * where there are some). Not thread-safe: one per thread, reused for every page; hashing allocates nothing but
 * the returned record.
 */
public final class PageHasher {

    /** The size of a page: CRIU's page images on x86-64 (and 4 KiB arm64 kernels) are made of these. */
    public static final int PAGE_SIZE = 4096;

    private static final int SHA256_BYTES = 32;
    private static final byte[] ZEROS = new byte[PAGE_SIZE];
    private static final MemorySegment ZERO_SEGMENT = MemorySegment.ofArray(ZEROS);

    private final MessageDigest sha;
    private final byte[] digest = new byte[SHA256_BYTES];

    public PageHasher() {
        this.sha = sha256();
    }

    /** The hash of {@code page}, which must be exactly 4096 bytes. */
    public PageHash hash(byte[] page) {
        checkLength(page.length);
        return hash(page, 0);
    }

    /** The hash of the 4096 bytes of {@code page} from {@code off}. */
    public PageHash hash(byte[] page, int off) {
        Objects.checkFromIndexSize(off, PAGE_SIZE, page.length);
        sha.update(page, off, PAGE_SIZE);
        return finish();
    }

    /** The hash of the 4096 bytes of {@code page} from its position, which is left where it was. */
    public PageHash hash(ByteBuffer page) {
        if (page.remaining() < PAGE_SIZE) {
            throw new IllegalArgumentException("a page is " + PAGE_SIZE + " bytes, the buffer has " + page.remaining());
        }
        if (page.hasArray()) {
            return hash(page.array(), page.arrayOffset() + page.position());
        }
        sha.update(page.slice(page.position(), PAGE_SIZE));
        return finish();
    }

    /** The hash of {@code page}, a segment of exactly 4096 bytes (native memory read from a process, say). */
    public PageHash hash(MemorySegment page) {
        checkLength(page.byteSize());
        sha.update(page.asByteBuffer());
        return finish();
    }

    /** Whether the 4096 bytes of {@code page} from {@code off} are all zero (vectorized compare, no allocation). */
    public static boolean isZero(byte[] page, int off) {
        Objects.checkFromIndexSize(off, PAGE_SIZE, page.length);
        return Arrays.mismatch(page, off, off + PAGE_SIZE, ZEROS, 0, PAGE_SIZE) < 0;
    }

    /** Whether {@code page}, exactly 4096 bytes, is all zero. */
    public static boolean isZero(byte[] page) {
        checkLength(page.length);
        return isZero(page, 0);
    }

    /** Whether the 4096 bytes of {@code page} from its position are all zero; the position is left alone. */
    public static boolean isZero(ByteBuffer page) {
        if (page.remaining() < PAGE_SIZE) {
            throw new IllegalArgumentException("a page is " + PAGE_SIZE + " bytes, the buffer has " + page.remaining());
        }
        if (page.hasArray()) {
            return isZero(page.array(), page.arrayOffset() + page.position());
        }
        return page.slice(page.position(), PAGE_SIZE).mismatch(ByteBuffer.wrap(ZEROS)) < 0;
    }

    /** Whether {@code page}, a segment of exactly 4096 bytes, is all zero. */
    public static boolean isZero(MemorySegment page) {
        checkLength(page.byteSize());
        return page.mismatch(ZERO_SEGMENT) < 0;
    }

    private PageHash finish() {
        try {
            sha.digest(digest, 0, SHA256_BYTES);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 refused a 32-byte buffer", e);
        }
        return PageHash.of(digest, 0);
    }

    private static void checkLength(long length) {
        if (length != PAGE_SIZE) {
            throw new IllegalArgumentException("a page is " + PAGE_SIZE + " bytes, not " + length);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
