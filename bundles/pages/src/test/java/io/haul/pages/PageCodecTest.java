package io.haul.pages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.util.Arrays;
import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.Test;

class PageCodecTest {

    private static final int PAGE = PageHasher.PAGE_SIZE;

    private final PageCodec codec = new PageCodec();

    @Test
    void aZeroPageIsOneByte() throws Exception {
        byte[] encoded = new byte[PageCodec.MAX_ENCODED_BYTES];
        assertEquals(1, codec.encode(new byte[PAGE], 0, encoded, 0));
        assertEquals(PageCodec.Kind.ZERO, PageCodec.kindOf(encoded[0]));
        byte[] back = TestPages.page(3, "random"); // decoding must clear what was there
        assertEquals(PageCodec.Kind.ZERO, decode(encoded, 1, back, 0));
        assertArrayEquals(new byte[PAGE], back);
    }

    @Test
    void compressiblePagesTravelAsLz4AndComeBackEqual() throws Exception {
        for (String kind : new String[] {"compressible", "typical"}) {
            byte[] page = TestPages.page(9, kind);
            byte[] encoded = new byte[PageCodec.MAX_ENCODED_BYTES];
            int n = codec.encode(page, 0, encoded, 0);
            assertEquals(PageCodec.Kind.LZ4, PageCodec.kindOf(encoded[0]), kind);
            assertTrue(n < PAGE / 2, kind + " pages shrink: " + n);
            byte[] back = new byte[PAGE + 10];
            assertEquals(PageCodec.Kind.LZ4, decode(encoded, n, back, 10));
            assertArrayEquals(page, Arrays.copyOfRange(back, 10, 10 + PAGE));
        }
    }

    @Test
    void randomPagesTravelRaw() throws Exception {
        byte[] page = TestPages.page(5, "random");
        byte[] encoded = new byte[PageCodec.MAX_ENCODED_BYTES + 3];
        assertEquals(PageCodec.MAX_ENCODED_BYTES, codec.encode(page, 0, encoded, 3));
        assertEquals(PageCodec.Kind.RAW, PageCodec.kindOf(encoded[3]));
        byte[] back = new byte[PAGE];
        assertEquals(PageCodec.Kind.RAW, decode(Arrays.copyOfRange(encoded, 3, encoded.length), PageCodec.MAX_ENCODED_BYTES, back, 0));
        assertArrayEquals(page, back);
    }

    @Test
    void theDataOutputFormsAgreeWithTheArrayForm() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        String[] kinds = {"zero", "typical", "random", "compressible"};
        PageCodec.Kind[] expected = {PageCodec.Kind.ZERO, PageCodec.Kind.LZ4, PageCodec.Kind.RAW, PageCodec.Kind.LZ4};
        for (int i = 0; i < kinds.length; i++) {
            assertEquals(expected[i], codec.encode(TestPages.page(i, kinds[i]), 0, out));
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
        byte[] back = new byte[PAGE];
        for (int i = 0; i < kinds.length; i++) {
            assertEquals(expected[i], codec.decode(in, back, 0));
            assertArrayEquals(TestPages.page(i, kinds[i]), back, kinds[i]);
        }
        assertEquals(-1, in.read());
    }

    @Test
    void jniAndPureJavaReadEachOther() throws Exception {
        System.out.println("LZ4 implementation: " + PageCodec.lz4Implementation());
        byte[] page = TestPages.page(11, "typical");
        byte[] encoded = new byte[PageCodec.MAX_ENCODED_BYTES];
        int n = codec.encode(page, 0, encoded, 0);
        byte[] back = new byte[PAGE];
        LZ4Factory java = LZ4Factory.safeInstance();
        assertEquals(PAGE, java.safeDecompressor().decompress(encoded, 3, n - 3, back, 0, PAGE));
        assertArrayEquals(page, back);

        byte[] compressed = java.fastCompressor().compress(page);
        byte[] wire = new byte[3 + compressed.length];
        wire[0] = 1;
        Bytes.putShort(wire, 1, compressed.length);
        System.arraycopy(compressed, 0, wire, 3, compressed.length);
        Arrays.fill(back, (byte) 0);
        assertEquals(PageCodec.Kind.LZ4, decode(wire, wire.length, back, 0));
        assertArrayEquals(page, back);
    }

    @Test
    void malformedEncodingsAreRefusedWithoutLargeAllocations() throws Exception {
        byte[] back = new byte[PAGE];
        PageStreamException unknown = assertThrows(PageStreamException.class, () -> decode(new byte[] {7}, 1, back, 0));
        assertEquals(PageStreamException.Reason.MALFORMED, unknown.reason());
        assertTrue(unknown.getMessage().contains("0x7"), unknown.getMessage());

        byte[] oversized = {1, (byte) 0xff, (byte) 0xff};
        PageStreamException tooLong = assertThrows(PageStreamException.class, () -> decode(oversized, 3, back, 0));
        assertTrue(tooLong.getMessage().contains("65535"), tooLong.getMessage());
        assertThrows(PageStreamException.class, () -> decode(new byte[] {1, 0, 0}, 3, back, 0));

        byte[] garbage = new byte[3 + 100];
        garbage[0] = 1;
        Bytes.putShort(garbage, 1, 100);
        Arrays.fill(garbage, 3, garbage.length, (byte) 0xf7);
        PageStreamException bad = assertThrows(PageStreamException.class, () -> decode(garbage, garbage.length, back, 0));
        assertEquals(PageStreamException.Reason.MALFORMED, bad.reason());

        byte[] shortPage = LZ4Factory.safeInstance().fastCompressor().compress(new byte[PAGE / 2]);
        byte[] wire = new byte[3 + shortPage.length];
        wire[0] = 1;
        Bytes.putShort(wire, 1, shortPage.length);
        System.arraycopy(shortPage, 0, wire, 3, shortPage.length);
        PageStreamException half = assertThrows(PageStreamException.class, () -> decode(wire, wire.length, back, 0));
        assertTrue(half.getMessage().contains("2048") || half.getMessage().contains("decode"), half.getMessage());

        assertThrows(EOFException.class, () -> decode(new byte[] {2, 1, 2, 3}, 4, back, 0));
    }

    private PageCodec.Kind decode(byte[] encoded, int length, byte[] into, int off) throws Exception {
        return codec.decode(new DataInputStream(new ByteArrayInputStream(encoded, 0, length)), into, off);
    }
}
