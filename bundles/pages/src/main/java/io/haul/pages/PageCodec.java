package io.haul.pages;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import net.jpountz.lz4.LZ4Exception;

/**
 * Encodes one 4 KiB page as the shortest of three forms, and decodes them. The encoding, as written by
 * {@link #encode(byte[], int, byte[], int)} and read by {@link #decode(DataInput, byte[], int)}:
 * <pre>
 *   byte 0                              ZERO: the page is 4096 zero bytes
 *   byte 1, unsigned short n, n bytes   LZ4:  an LZ4 block (1 &lt;= n &lt;= 4093) that decodes to exactly 4096 bytes
 *   byte 2, 4096 bytes                  RAW:  the page as it is
 * </pre>
 * LZ4 is chosen only when it is shorter than RAW. Not thread-safe (it keeps a scratch buffer): one per thread.
 * The LZ4 implementation is the C library through JNI where it loads, else pure Java ({@link #lz4Implementation()}).
 */
public final class PageCodec {

    /** The three forms of a page, with their code on the wire. */
    public enum Kind {
        ZERO(0), LZ4(1), RAW(2);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        /** The byte that starts the encoding. */
        public int code() {
            return code;
        }
    }

    /** The most bytes {@link #encode(byte[], int, byte[], int)} writes: a RAW page. */
    public static final int MAX_ENCODED_BYTES = 1 + PageHasher.PAGE_SIZE;

    /** The longest LZ4 block a page is sent as: any longer and RAW is shorter. */
    static final int MAX_LZ4_BYTES = PageHasher.PAGE_SIZE - 3;

    private static final int PAGE = PageHasher.PAGE_SIZE;

    private final byte[] scratch = new byte[Math.max(Lz4.COMPRESSOR.maxCompressedLength(PAGE), PAGE)];
    private final byte[] encoded = new byte[MAX_ENCODED_BYTES];

    /** Which LZ4 implementation this JVM uses (JNI or pure Java), for logs. */
    public static String lz4Implementation() {
        return Lz4.IMPLEMENTATION;
    }

    /**
     * Encodes the 4096 bytes of {@code page} from {@code off} into {@code dst} from {@code dstOff}, which must
     * have room for {@link #MAX_ENCODED_BYTES}; returns how many bytes it wrote.
     */
    public int encode(byte[] page, int off, byte[] dst, int dstOff) {
        Objects.checkFromIndexSize(off, PAGE, page.length);
        Objects.checkFromIndexSize(dstOff, MAX_ENCODED_BYTES, dst.length);
        if (PageHasher.isZero(page, off)) {
            dst[dstOff] = (byte) Kind.ZERO.code;
            return 1;
        }
        int n = Lz4.COMPRESSOR.compress(page, off, PAGE, scratch, 0, scratch.length);
        if (n <= MAX_LZ4_BYTES) {
            dst[dstOff] = (byte) Kind.LZ4.code;
            Bytes.putShort(dst, dstOff + 1, n);
            System.arraycopy(scratch, 0, dst, dstOff + 3, n);
            return 3 + n;
        }
        dst[dstOff] = (byte) Kind.RAW.code;
        System.arraycopy(page, off, dst, dstOff + 1, PAGE);
        return 1 + PAGE;
    }

    /** Encodes {@code page} from {@code off} to {@code out}; returns the form it chose. */
    public Kind encode(byte[] page, int off, DataOutput out) throws IOException {
        int n = encode(page, off, encoded, 0);
        out.write(encoded, 0, n);
        return kindOf(encoded[0]);
    }

    /**
     * Reads one encoded page from {@code in} into the 4096 bytes of {@code page} from {@code off}; returns its
     * form. An unknown form, an LZ4 block of a bad length or one that does not decode to exactly 4096 bytes is
     * a {@link PageStreamException} ({@link PageStreamException.Reason#MALFORMED}); nothing larger than a page
     * is ever allocated.
     */
    public Kind decode(DataInput in, byte[] page, int off) throws IOException {
        Objects.checkFromIndexSize(off, PAGE, page.length);
        int code = in.readUnsignedByte();
        if (code == Kind.ZERO.code) {
            Arrays.fill(page, off, off + PAGE, (byte) 0);
            return Kind.ZERO;
        }
        if (code == Kind.RAW.code) {
            in.readFully(page, off, PAGE);
            return Kind.RAW;
        }
        if (code != Kind.LZ4.code) {
            throw new PageStreamException(PageStreamException.Reason.MALFORMED,
                    "unknown page encoding 0x" + Integer.toHexString(code));
        }
        int n = in.readUnsignedShort();
        if (n == 0 || n > MAX_LZ4_BYTES) {
            throw new PageStreamException(PageStreamException.Reason.MALFORMED,
                    "an LZ4 page of " + n + " bytes (1 to " + MAX_LZ4_BYTES + ")");
        }
        in.readFully(scratch, 0, n);
        int decoded;
        try {
            decoded = Lz4.DECOMPRESSOR.decompress(scratch, 0, n, page, off, PAGE);
        } catch (LZ4Exception e) {
            throw new PageStreamException(PageStreamException.Reason.MALFORMED, "an LZ4 page that does not decode: "
                    + e.getMessage());
        }
        if (decoded != PAGE) {
            throw new PageStreamException(PageStreamException.Reason.MALFORMED,
                    "an LZ4 page that decodes to " + decoded + " bytes, not " + PAGE);
        }
        return Kind.LZ4;
    }

    /** The form whose code starts an encoding. */
    public static Kind kindOf(byte code) {
        return switch (code) {
            case 0 -> Kind.ZERO;
            case 1 -> Kind.LZ4;
            case 2 -> Kind.RAW;
            default -> throw new IllegalArgumentException("unknown page encoding 0x" + Integer.toHexString(code & 0xff));
        };
    }
}
