package io.haul.pages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PagePushTest {

    private static final int PAGE = PageHasher.PAGE_SIZE;

    @TempDir
    Path dir;

    private final PageHasher hasher = new PageHasher();

    @Test
    void pushedPagesLandInTheStore() throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        PagePushWriter writer = new PagePushWriter(stream);
        String[] kinds = {"typical", "random", "zero", "compressible", "typical"};
        for (int i = 0; i < 1000; i++) {
            byte[] page = TestPages.page(i % 900, kinds[i % kinds.length]); // 100 pages come twice
            PageCodec.Kind kind = writer.push(hasher.hash(page), page);
            assertEquals(switch (kinds[i % kinds.length]) {
                case "zero" -> PageCodec.Kind.ZERO;
                case "random" -> PageCodec.Kind.RAW;
                default -> PageCodec.Kind.LZ4;
            }, kind);
        }
        long bytes = writer.end();
        assertEquals(stream.size(), bytes);
        assertEquals(1000, writer.pages());
        assertThrows(IllegalStateException.class, () -> writer.push(PageHash.ZERO_PAGE, new byte[PAGE]));
        stream.write(99); // more after the end marker stays on the stream

        try (PageStore store = new PageStore(1 << 20, dir)) {
            InputStream in = new BufferedInputStream(new ByteArrayInputStream(stream.toByteArray()));
            PagePushReader.Counts counts = PagePushReader.readAll(in, store);
            assertEquals(1000, counts.pages());
            assertEquals(200, counts.zeros());
            assertEquals(bytes, counts.bytesRead());
            assertEquals(99, in.read());
            // distinct pages: the zero page once, and 800 numbered non-zero ones minus the repeats of those
            long distinct = store.size();
            assertEquals(distinct, counts.added());
            byte[] back = new byte[PAGE];
            for (int i = 0; i < 1000; i++) {
                byte[] page = TestPages.page(i % 900, kinds[i % kinds.length]);
                assertTrue(store.read(hasher.hash(page), back));
                assertArrayEquals(page, back);
            }
            System.out.printf("push: %s, %.2f bytes a page on the wire%n", counts, (double) bytes / 1000);
        }
    }

    @Test
    void anEmptyPushIsMagicAndEnd() throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        assertEquals(4 + 1 + 8, new PagePushWriter(stream).end());
        try (PageStore store = new PageStore(0, dir)) {
            assertEquals(new PagePushReader.Counts(0, 0, 0, 13),
                    PagePushReader.readAll(new ByteArrayInputStream(stream.toByteArray()), store));
        }
    }

    @Test
    void malformedPushesFailClearly() throws Exception {
        byte[] page = TestPages.page(1, "random");
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        PagePushWriter writer = new PagePushWriter(stream);
        writer.push(hasher.hash(page), page);
        writer.end();
        byte[] good = stream.toByteArray();
        // layout: magic (4), tag (1), hash (16), RAW (1 + 4096), end tag (1), count (8)

        byte[] wrongHash = good.clone();
        wrongHash[5] ^= 1;
        expect(wrongHash, PageStreamException.Reason.HASH_MISMATCH, "hashes to " + hasher.hash(page));

        byte[] badTag = good.clone();
        badTag[4] = 9;
        expect(badTag, PageStreamException.Reason.MALFORMED, "unknown entry tag 0x9");

        byte[] badMagic = good.clone();
        badMagic[3] = 0;
        expect(badMagic, PageStreamException.Reason.MALFORMED, "not a page push stream");

        byte[] oversized = Arrays.copyOf(good, 4 + 1 + 16 + 3);
        oversized[21] = 1;
        oversized[22] = (byte) 0x7f;
        oversized[23] = (byte) 0xff;
        expect(oversized, PageStreamException.Reason.MALFORMED, "an LZ4 page of 32767 bytes");

        byte[] badEncoding = good.clone();
        badEncoding[21] = 5;
        expect(badEncoding, PageStreamException.Reason.MALFORMED, "unknown page encoding 0x5");

        byte[] badCount = good.clone();
        badCount[good.length - 1] = 2;
        expect(badCount, PageStreamException.Reason.MALFORMED, "counts 2 pages, 1 came");

        for (int cut : new int[] {0, 2, 4, 20, 1000, good.length - 9, good.length - 1}) {
            expect(Arrays.copyOf(good, cut), PageStreamException.Reason.TRUNCATED, "ended after");
        }
    }

    private void expect(byte[] stream, PageStreamException.Reason reason, String words) throws Exception {
        try (PageStore store = new PageStore(1 << 20, dir)) {
            PageStreamException e = assertThrows(PageStreamException.class,
                    () -> PagePushReader.readAll(new ByteArrayInputStream(stream), store));
            assertEquals(reason, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains(words), e.getMessage());
        }
    }
}
