package io.haul.pages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PageHasherTest {

    private static final int PAGE = PageHasher.PAGE_SIZE;

    @Test
    void hashIsTheFirst128BitsOfSha256() throws Exception {
        byte[] page = TestPages.page(42, "typical");
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(page);
        PageHash hash = new PageHasher().hash(page);
        byte[] written = new byte[PageHash.BYTES];
        hash.writeTo(written, 0);
        assertArrayEquals(Arrays.copyOf(sha, 16), written);
        assertEquals(java.util.HexFormat.of().formatHex(sha, 0, 16), hash.toString());
        assertEquals(hash, PageHash.parse(hash.toString()));
    }

    @Test
    void theHasherIsReusableAndEveryViewOfAPageHashesAlike() {
        PageHasher hasher = new PageHasher();
        byte[] a = TestPages.page(1, "random");
        byte[] b = TestPages.page(2, "random");
        PageHash ha = hasher.hash(a);
        PageHash hb = hasher.hash(b);
        assertNotEquals(ha, hb);
        assertEquals(ha, hasher.hash(a));

        byte[] both = new byte[3 * PAGE];
        System.arraycopy(b, 0, both, PAGE + 5, PAGE);
        assertEquals(hb, hasher.hash(both, PAGE + 5));
        ByteBuffer direct = ByteBuffer.allocateDirect(2 * PAGE);
        direct.position(7).put(a).position(7);
        assertEquals(ha, hasher.hash(direct));
        assertEquals(7, direct.position(), "the position is left alone");
        assertEquals(hb, hasher.hash(ByteBuffer.wrap(both, PAGE + 5, PAGE)));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(PAGE);
            segment.copyFrom(MemorySegment.ofArray(a));
            assertEquals(ha, hasher.hash(segment));
        }
        assertThrows(IllegalArgumentException.class, () -> hasher.hash(new byte[PAGE - 1]));
        assertThrows(IndexOutOfBoundsException.class, () -> hasher.hash(both, 2 * PAGE + 1));
    }

    @Test
    void theZeroPageHashIsTheHashOfZeros() {
        assertEquals(new PageHasher().hash(new byte[PAGE]), PageHash.ZERO_PAGE);
    }

    @Test
    void hashesTravelAs16Bytes() throws Exception {
        PageHash hash = new PageHash(0x0123456789abcdefL, -2);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        hash.writeTo(new DataOutputStream(bytes));
        assertEquals(PageHash.BYTES, bytes.size());
        assertEquals(hash, PageHash.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))));
        assertEquals(hash, PageHash.of(bytes.toByteArray(), 0));
        assertEquals("0123456789abcdeffffffffffffffffe", hash.toString());
    }

    @Test
    void zeroDetectionSeesASingleNonZeroByteAnywhere() {
        byte[] buffer = new byte[2 * PAGE];
        assertTrue(PageHasher.isZero(new byte[PAGE]));
        assertTrue(PageHasher.isZero(buffer, PAGE));
        for (int at : new int[] {0, 1, 7, 8, 2047, 4088, PAGE - 1}) {
            buffer[PAGE + at] = 1;
            assertFalse(PageHasher.isZero(buffer, PAGE), "a byte at " + at);
            assertTrue(PageHasher.isZero(buffer, 0), "the page before is untouched");
            ByteBuffer direct = ByteBuffer.allocateDirect(PAGE);
            direct.put(at, (byte) 1);
            assertFalse(PageHasher.isZero(direct));
            assertFalse(PageHasher.isZero(ByteBuffer.wrap(buffer, PAGE, PAGE)));
            assertFalse(PageHasher.isZero(MemorySegment.ofArray(buffer).asSlice(PAGE, PAGE)));
            buffer[PAGE + at] = 0;
        }
        assertTrue(PageHasher.isZero(ByteBuffer.allocateDirect(PAGE)));
        assertTrue(PageHasher.isZero(MemorySegment.ofArray(buffer).asSlice(PAGE, PAGE)));
        assertThrows(IllegalArgumentException.class, () -> PageHasher.isZero(MemorySegment.ofArray(new byte[PAGE + 1])));
    }
}
