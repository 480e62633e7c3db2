package io.haul.pages;

import java.util.Arrays;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * The LZ4 implementation the codec uses: lz4-java's JNI binding (the LZ4 C library, about three times the
 * pure-Java speed) where its library loads and round-trips a page, else its pure-Java safe implementation.
 * lz4-java's own {@code fastestInstance()} never tries JNI from a class loader other than the system one (a
 * bundle's, here), hence the choice made here. Both produce and read the same LZ4 block format. The system
 * property {@code haul.pages.lz4=java} forces the pure-Java one. Decompression is always the bounds-checked
 * "safe" decompressor with the exact lengths (never the "fast" one, which trusts its input).
 */
final class Lz4 {

    static final LZ4Compressor COMPRESSOR;
    static final LZ4SafeDecompressor DECOMPRESSOR;
    static final String IMPLEMENTATION;

    static {
        LZ4Factory factory = LZ4Factory.safeInstance();
        String name = "pure Java (safe)";
        if (!"java".equalsIgnoreCase(System.getProperty("haul.pages.lz4"))) {
            try {
                LZ4Factory jni = LZ4Factory.nativeInstance();
                if (roundTrips(jni)) {
                    factory = jni;
                    name = "JNI (LZ4 C library)";
                }
            } catch (Throwable e) { // no library for this OS/arch, or it fails to load: pure Java then
                name = "pure Java (safe; JNI unavailable: " + e + ")";
            }
        }
        COMPRESSOR = factory.fastCompressor();
        DECOMPRESSOR = factory.safeDecompressor();
        IMPLEMENTATION = name;
    }

    private Lz4() {
    }

    private static boolean roundTrips(LZ4Factory factory) {
        byte[] page = new byte[PageHasher.PAGE_SIZE];
        for (int i = 0; i < page.length; i++) {
            page[i] = (byte) (i % 251 < 40 ? i : 0);
        }
        LZ4Compressor compressor = factory.fastCompressor();
        byte[] compressed = new byte[compressor.maxCompressedLength(page.length)];
        int n = compressor.compress(page, 0, page.length, compressed, 0, compressed.length);
        byte[] back = new byte[page.length];
        int m = factory.safeDecompressor().decompress(compressed, 0, n, back, 0, back.length);
        // and the pure-Java decoder reads what this one wrote, as a peer without JNI would
        byte[] other = new byte[page.length];
        int k = LZ4Factory.safeInstance().safeDecompressor().decompress(compressed, 0, n, other, 0, other.length);
        return m == page.length && k == page.length && Arrays.equals(page, back) && Arrays.equals(page, other);
    }
}
