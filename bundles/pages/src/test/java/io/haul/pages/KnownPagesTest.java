package io.haul.pages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The final dump's pages found by fingerprint (what pre-copy pushed) instead of hashed again. */
class KnownPagesTest {

    private static final int PAGE = PageHasher.PAGE_SIZE;

    @TempDir
    Path dir;

    private final PageHasher hasher = new PageHasher();

    /**
     * Pre-copy pushed every page; then one bit changed in each quarter of four pages, and one page was written
     * whole. Those five are hashed and travel; the others go by reference without a SHA-256, and the destination
     * rebuilds the final dump byte for byte, the new content and never the pushed one.
     */
    @Test
    void aPageChangedAfterItWasPushedIsHashedAndArrivesWithItsNewContent() throws Exception {
        int pages = 256;
        byte[] before = new byte[pages * PAGE];
        for (int i = 0; i < pages; i++) {
            TestPages.typical(i, before, i * PAGE);
        }
        byte[] after = before.clone();
        int[] changed = {3, 40, 41, 255};
        for (int q = 0; q < 4; q++) {
            after[changed[q] * PAGE + q * PAGE / 4 + 100] ^= 1; // one bit, in quarter q
        }
        TestPages.random(1000, after, 20 * PAGE);
        Path image = dir.resolve("pages-1.img.src");
        Files.write(image, after);

        ByteArrayOutputStream pushed = new ByteArrayOutputStream();
        PagePushWriter push = new PagePushWriter(pushed);
        Set<PageHash> sent = ConcurrentHashMap.newKeySet();
        FingerprintIndex known = new FingerprintIndex();
        PageFingerprint fingerprint = new PageFingerprint();
        for (int i = 0; i < pages; i++) {
            PageHash hash = hasher.hash(before, i * PAGE);
            sent.add(hash);
            push.push(hash, Arrays.copyOfRange(before, i * PAGE, (i + 1) * PAGE));
            fingerprint.of(before, i * PAGE);
            known.add(fingerprint.hi(), fingerprint.lo(), hash);
        }
        push.end();
        push.flush();
        assertEquals(pages, known.size());

        for (int threads : new int[] {0, 2}) {
            long foundBefore = known.found();
            ByteArrayOutputStream recipe = new ByteArrayOutputStream();
            PageRecipeWriter.Stats stats = new PageRecipeWriter(sent::contains, known, threads).write(image, recipe);
            assertEquals(5, stats.literals(), "the changed pages travel; " + stats);
            assertEquals(pages - 5, stats.refs());
            assertEquals(pages - 5, known.found() - foundBefore, "the unchanged pages were found, not hashed");
            ByteArrayOutputStream hashedAll = new ByteArrayOutputStream();
            new PageRecipeWriter(sent::contains, threads).write(image, hashedAll);
            assertArrayEquals(hashedAll.toByteArray(), recipe.toByteArray(), "the same recipe as hashing every page");

            try (PageStore store = new PageStore(1 << 20, dir.resolve("spill-" + threads))) {
                PagePushReader.readAll(new ByteArrayInputStream(pushed.toByteArray()), store);
                Path target = dir.resolve("pages-1.img." + threads);
                new PageRecipeReader(store).read(new ByteArrayInputStream(recipe.toByteArray()), target);
                byte[] rebuilt = Files.readAllBytes(target);
                assertArrayEquals(after, rebuilt, "byte for byte the final dump");
                assertEquals(before[40 * PAGE + PAGE / 4 + 100] ^ 1, rebuilt[40 * PAGE + PAGE / 4 + 100]);
            }
        }
    }

    @Test
    void aFingerprintTellsEveryOneBitChangeInAnyQuarter() {
        byte[] page = TestPages.page(9, "typical");
        PageFingerprint fingerprint = new PageFingerprint();
        fingerprint.of(page, 0);
        long hi = fingerprint.hi();
        long lo = fingerprint.lo();
        for (int bit = 0; bit < PAGE * 8; bit += 61) {
            byte[] changed = page.clone();
            changed[bit / 8] ^= (byte) (1 << (bit % 8));
            fingerprint.of(changed, 0);
            assertNotEquals(hi + ":" + lo, fingerprint.hi() + ":" + fingerprint.lo(), "bit " + bit);
        }
        byte[] twice = new byte[2 * PAGE];
        System.arraycopy(page, 0, twice, PAGE, PAGE);
        fingerprint.of(twice, PAGE);
        assertEquals(hi, fingerprint.hi());
        assertEquals(lo, fingerprint.lo());
    }

    @Test
    void theFirstPageAddedUnderAFingerprintStays() {
        FingerprintIndex index = new FingerprintIndex();
        PageHash first = new PageHash(1, 2);
        index.add(7, 8, first);
        index.add(7, 8, new PageHash(3, 4));
        for (int i = 0; i < 10_000; i++) { // past the first growth of its tables
            index.add(100 + i, i, new PageHash(i, i + 1));
        }
        assertEquals(10_001, index.size());
        assertEquals(first, index.byFingerprint(7, 8));
        assertEquals(new PageHash(9_999, 10_000), index.byFingerprint(10_099, 9_999));
        assertNull(index.byFingerprint(7, 9));
        assertEquals(2, index.found(), "the lookups that found a page");
    }
}
