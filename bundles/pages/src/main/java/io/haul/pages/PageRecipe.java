package io.haul.pages;

/**
 * The recipe format: how the destination rebuilds one page image file of the final dump (CRIU's
 * {@code pages-N.img}, a plain concatenation of 4 KiB pages) from the pages it holds and the few it lacks.
 * {@link PageRecipeWriter} writes it, {@link PageRecipeReader} reads it. Big-endian, as {@link java.io.DataOutput}
 * writes:
 * <pre>
 *   int   0x48505232 ("HPR2")
 *   then, for each 4096-byte page of the file in order, one entry:
 *     byte 0x01, long hashHi, long hashLo     REF:     the page whose {@link PageHash} this is, which the
 *                                                      destination's {@link PageStore} holds (pre-copied, or a
 *                                                      LITERAL earlier in this or an earlier recipe of the writer)
 *     byte 0x02                               ZERO:    4096 zero bytes
 *     byte 0x03, encoding                     LITERAL: the page itself in its {@link PageCodec} encoding (LZ4 or
 *                                                      raw); the reader puts it into the store
 *   byte  0x04, unsigned short n, n bytes     TAIL:    a last, partial page (1 &lt;= n &lt;= 4095), only in a file whose
 *                                                      length is not a multiple of 4096 (never for CRIU's)
 *   byte  0x7F, long length, long check       END:     the file's length and its {@link FileCheck} value
 * </pre>
 * The reader checks the rebuilt file's length and check value against END before anyone restores from it.
 * (HPR1, the first format, ended with the SHA-256 of the whole file instead: {@link FileCheck} says why no more.)
 *
 * <p>A <em>standalone</em> recipe ({@link PageRecipeWriter#writeStandalone}) is made before its place on the
 * stream is known, and never crosses the wire: its REFs name only pages the destination held before the images
 * or LITERALs earlier in the same recipe. It is this format with the magic 0x48505332 ("HPS2") and each LITERAL's
 * hash after its tag ({@code byte 0x03, long hashHi, long hashLo, encoding}), so that
 * {@link PageRecipeWriter#forward} can send as a REF each literal an earlier recipe of the stream carried, without
 * hashing it again. Readers refuse it by its magic.
 */
public final class PageRecipe {

    static final int MAGIC = 0x48505232;
    /** The first format's magic, named in the refusal of a peer that still writes it. */
    static final int MAGIC_V1 = 0x48505231;
    /** A standalone recipe, kept on the source's disk until it is forwarded. */
    static final int STANDALONE_MAGIC = 0x48505332;
    static final int REF = 0x01;
    static final int ZERO = 0x02;
    static final int LITERAL = 0x03;
    static final int TAIL = 0x04;
    static final int END = 0x7F;

    private PageRecipe() {
    }
}
