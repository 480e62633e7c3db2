package io.haul.pages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PageRecipeTest {

    private static final int PAGE = PageHasher.PAGE_SIZE;

    @TempDir
    Path dir;

    private final PageHasher hasher = new PageHasher();

    /** A 64 MiB image: ~70% of its pages pre-copied, ~10% zero, the rest new, a few new ones twice. */
    @Test
    void a64MiBImageIsRebuiltByteForByteFromTheStoreAndTheNewPages() throws Exception {
        int pages = 16_384;
        Path image = dir.resolve("source/pages-1.img");
        Files.createDirectories(image.getParent());
        Set<PageHash> sourceKnows = ConcurrentHashMap.newKeySet(); // what the source pushed during pre-copy
        long held = 0;
        long zeros = 0;
        long fresh = 0;
        long repeats = 0;
        SplittableRandom random = new SplittableRandom(4);
        byte[] page = new byte[PAGE];
        byte[] lastNew = null;
        try (PageStore store = new PageStore(16L << 20, dir.resolve("spill"));
                OutputStream out = Files.newOutputStream(image)) {
            for (int i = 0; i < pages; i++) {
                int roll = random.nextInt(100);
                if (roll < 70) {
                    fill(i, roll % 3, page);
                    PageHash hash = hasher.hash(page);
                    store.put(hash, page);
                    sourceKnows.add(hash);
                    held++;
                } else if (roll < 80) {
                    Arrays.fill(page, (byte) 0);
                    zeros++;
                } else if (roll < 82 && lastNew != null) {
                    page = lastNew.clone(); // the same new page again: sent once, then referred to
                    repeats++;
                } else {
                    fill(i, roll % 3, page);
                    lastNew = page.clone();
                    fresh++;
                }
                out.write(page);
            }
            out.close();
            assertEquals(64L << 20, Files.size(image));
            assertTrue(held > pages * 0.65 && zeros > pages * 0.08 && fresh > pages * 0.15 && repeats > 100,
                    held + " held, " + zeros + " zero, " + fresh + " new, " + repeats + " repeated");

            ByteArrayOutputStream recipe = new ByteArrayOutputStream();
            PageRecipeWriter.Stats written = new PageRecipeWriter(sourceKnows::contains, 2).write(image, recipe);
            assertEquals(new PageRecipeWriter.Stats(64L << 20, pages, held + repeats, zeros, fresh, recipe.size()), written);
            ByteArrayOutputStream inline = new ByteArrayOutputStream();
            new PageRecipeWriter(sourceKnows::contains, 0).write(image, inline);
            assertArrayEquals(recipe.toByteArray(), inline.toByteArray(), "hashing ahead on threads changes nothing");
            System.out.printf("64 MiB image: %s, recipe %.1f MiB%n", written, recipe.size() / 1048576.0);

            long before = store.size();
            Path target = dir.resolve("pages-1.img");
            PageRecipeReader.Result result = new PageRecipeReader(store, true)
                    .read(new BufferedInputStream(new ByteArrayInputStream(recipe.toByteArray())), target);
            assertEquals(new PageRecipeReader.Result(64L << 20, pages, held + repeats, zeros, fresh, recipe.size()), result);
            assertEquals(-1, Files.mismatch(image, target), "byte for byte");
            assertArrayEquals(sha256(image), sha256(target));
            assertEquals(before + fresh, store.size(), "the new pages are in the store now");
            assertTrue(store.spilledPages() > 0, "some references were read from the spill file");

            Path again = dir.resolve("again/pages-1.img");
            Files.createDirectories(again.getParent());
            new PageRecipeReader(store, false).read(new ByteArrayInputStream(recipe.toByteArray()), again);
            assertEquals(-1, Files.mismatch(image, again), "the same without the writing thread");
        }
    }

    /**
     * Pre-copy pushed every page as it was; pages written after the last round are in the final dump with their
     * new content. The destination must restore the new content, never the pushed one.
     */
    @Test
    void aPageChangedAfterTheLastRoundArrivesWithItsNewContent() throws Exception {
        int pages = 64;
        byte[] before = new byte[pages * PAGE];
        for (int i = 0; i < pages; i++) {
            TestPages.typical(i, before, i * PAGE);
        }
        byte[] after = before.clone();
        for (int i : new int[] {3, 40, 63}) {
            after[i * PAGE + 100] ^= 1; // one bit
        }
        TestPages.random(1000, after, 20 * PAGE); // a whole page
        Path image = write("src/pages-1.img", after);

        ByteArrayOutputStream pushed = new ByteArrayOutputStream();
        PagePushWriter push = new PagePushWriter(pushed);
        Set<PageHash> sent = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < pages; i++) {
            PageHash hash = hasher.hash(before, i * PAGE);
            sent.add(hash);
            push.push(hash, Arrays.copyOfRange(before, i * PAGE, (i + 1) * PAGE));
        }
        push.end();
        push.flush();
        ByteArrayOutputStream recipe = new ByteArrayOutputStream();
        PageRecipeWriter.Stats stats = PageRecipeWriter.write(image, sent::contains, recipe);
        assertEquals(4, stats.literals(), "the changed pages travel; " + stats);

        try (PageStore store = new PageStore(1 << 20, dir.resolve("spill"))) {
            PagePushReader.readAll(new ByteArrayInputStream(pushed.toByteArray()), store);
            Path target = dir.resolve("pages-1.img");
            new PageRecipeReader(store).read(new ByteArrayInputStream(recipe.toByteArray()), target);
            byte[] rebuilt = Files.readAllBytes(target);
            assertArrayEquals(after, rebuilt, "byte for byte the final dump");
            assertEquals(before[40 * PAGE + 100] ^ 1, rebuilt[40 * PAGE + 100]);
        }
    }

    @Test
    void aSecondRecipeOnTheSameStreamRefersToTheFirstOnesLiterals() throws Exception {
        Path one = write("src/pages-1.img", TestPages.page(1, "typical"), TestPages.page(2, "random"));
        Path two = write("src/pages-2.img", TestPages.page(2, "random"), new byte[PAGE], TestPages.page(1, "typical"));
        byte[] tail = Arrays.copyOf(TestPages.page(3, "compressible"), 100);
        Path three = dir.resolve("src/pages-3.img");
        Files.write(three, concat(TestPages.page(1, "typical"), tail));
        Path empty = write("src/pages-4.img");

        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        PageRecipeWriter writer = new PageRecipeWriter(hash -> false);
        PageRecipeWriter.Stats first = writer.write(one, stream);
        assertEquals(new PageRecipeWriter.Stats(2 * PAGE, 2, 0, 0, 2, stream.size()), first);
        PageRecipeWriter.Stats second = writer.write(two, stream);
        assertEquals(3, second.pages());
        assertEquals(2, second.refs());
        assertEquals(1, second.zeros());
        assertEquals(0, second.literals());
        PageRecipeWriter.Stats third = writer.write(three, stream);
        assertEquals(PAGE + 100, third.imageBytes());
        assertEquals(1, third.refs());
        writer.write(empty, stream);
        stream.write(new byte[] {42, 43}); // what follows the recipes on the stream stays there

        try (PageStore store = new PageStore(1 << 20, dir)) {
            InputStream in = new BufferedInputStream(new ByteArrayInputStream(stream.toByteArray()));
            PageRecipeReader reader = new PageRecipeReader(store);
            for (Path source : new Path[] {one, two, three, empty}) {
                Path target = dir.resolve(source.getFileName());
                reader.read(in, target);
                assertEquals(-1, Files.mismatch(source, target), source.getFileName().toString());
            }
            assertEquals(42, in.read());
            assertEquals(43, in.read());
            assertEquals(-1, in.read());
        }
    }

    @Test
    void aReferenceToAPageTheStoreLacksFailsAndLeavesNoFile() throws Exception {
        byte[] missing = TestPages.page(7, "typical");
        Path image = write("src/pages-1.img", TestPages.page(6, "random"), missing);
        PageHash missingHash = hasher.hash(missing);
        ByteArrayOutputStream recipe = new ByteArrayOutputStream();
        PageRecipeWriter.write(image, missingHash::equals, recipe);
        try (PageStore store = new PageStore(1 << 20, dir)) {
            Path target = dir.resolve("pages-1.img");
            PageStreamException e = assertThrows(PageStreamException.class,
                    () -> new PageRecipeReader(store).read(new ByteArrayInputStream(recipe.toByteArray()), target));
            assertEquals(PageStreamException.Reason.UNKNOWN_PAGE, e.reason());
            assertEquals(target, e.file());
            assertTrue(e.getMessage().contains("pages-1.img") && e.getMessage().contains(missingHash.toString())
                    && e.getMessage().contains("page 1 "), e.getMessage());
            assertFalse(Files.exists(target));
        }
    }

    @Test
    void damagedRecipesFailClearlyAndLeaveNoFile() throws Exception {
        Path image = write("src/pages-2.img", TestPages.page(1, "random"), TestPages.page(2, "typical"), new byte[PAGE]);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PageRecipeWriter.write(image, hash -> false, out);
        byte[] recipe = out.toByteArray();
        // layout: magic (4), LITERAL RAW (1 + 1 + 4096), LITERAL LZ4 (1 + 3 + n), ZERO (1), END (1 + 8 + 8)
        assertEquals(PageRecipe.LITERAL, recipe[4]);
        assertEquals(PageRecipe.ZERO, recipe[recipe.length - 18]);

        byte[] flipped = recipe.clone();
        flipped[100] ^= 1; // inside the raw page: the page and so the file differ
        expect(flipped, PageStreamException.Reason.CHECKSUM_MISMATCH, "check value");

        byte[] flippedCheck = recipe.clone();
        flippedCheck[recipe.length - 1] ^= 1;
        expect(flippedCheck, PageStreamException.Reason.CHECKSUM_MISMATCH, "differs from the source's");

        byte[] badTag = recipe.clone();
        badTag[recipe.length - 18] = 0x55;
        expect(badTag, PageStreamException.Reason.MALFORMED, "unknown entry tag 0x55 at page 2");

        byte[] badMagic = recipe.clone();
        badMagic[0] = 'X';
        expect(badMagic, PageStreamException.Reason.MALFORMED, "not a page recipe");

        byte[] firstFormat = recipe.clone();
        firstFormat[3] = '1'; // HPR1: an older source agent
        expect(firstFormat, PageStreamException.Reason.MALFORMED, "first format (HPR1)");

        byte[] badLength = recipe.clone();
        badLength[recipe.length - 9] ^= 1;
        expect(badLength, PageStreamException.Reason.LENGTH_MISMATCH, "rebuilt 12288 bytes, the source's file has 12289");

        byte[] hugeLz4 = Arrays.copyOf(recipe, 4 + 1 + 1 + 2);
        hugeLz4[5] = 1; // LZ4
        hugeLz4[6] = (byte) 0xff;
        hugeLz4[7] = (byte) 0xff;
        expect(hugeLz4, PageStreamException.Reason.MALFORMED, "65535");

        for (int cut : new int[] {0, 3, 5, 2000, recipe.length - 18, recipe.length - 1}) {
            expect(Arrays.copyOf(recipe, cut), PageStreamException.Reason.TRUNCATED, "ended before its end marker");
        }

        try (PageStore store = new PageStore(1 << 20, dir)) {
            Path target = dir.resolve("pages-2.img");
            PageStreamException e = assertThrows(PageStreamException.class,
                    () -> new PageRecipeReader(store).read(new ByteArrayInputStream(recipe), target, 2 * PAGE));
            assertEquals(PageStreamException.Reason.TOO_LARGE, e.reason());
            assertFalse(Files.exists(target));

            Files.writeString(target, "someone else's");
            assertThrows(FileAlreadyExistsException.class,
                    () -> new PageRecipeReader(store).read(new ByteArrayInputStream(recipe), target));
            assertEquals("someone else's", Files.readString(target), "an existing file is left alone");
        }
    }

    /**
     * The store vouches for each page's hash when it takes it; should it hand out other bytes all the same (a
     * bug, a damaged spill file), the rebuilt file must not pass.
     */
    @Test
    void aStorePageThatIsNotWhatItsHashSaysFailsTheRebuild() throws Exception {
        byte[] held = TestPages.page(11, "typical");
        Path image = write("src/pages-3.img", TestPages.page(10, "random"), held, new byte[PAGE]);
        PageHash heldHash = hasher.hash(held);
        ByteArrayOutputStream recipe = new ByteArrayOutputStream();
        PageRecipeWriter.write(image, heldHash::equals, recipe);
        for (long budget : new long[] {1 << 20, 0}) { // the page in memory, then in the spill file
            try (PageStore store = new PageStore(budget, dir.resolve("spill"))) {
                byte[] wrong = held.clone();
                wrong[PAGE - 1] ^= 0x40; // one bit of the second half
                store.put(heldHash, wrong);
                Path target = dir.resolve("pages-3.img");
                PageStreamException e = assertThrows(PageStreamException.class,
                        () -> new PageRecipeReader(store).read(new ByteArrayInputStream(recipe.toByteArray()), target));
                assertEquals(PageStreamException.Reason.CHECKSUM_MISMATCH, e.reason(), e.getMessage());
                assertFalse(Files.exists(target), "nothing is left to restore from");
            }
        }
    }

    private void expect(byte[] recipe, PageStreamException.Reason reason, String words) throws IOException {
        try (PageStore store = new PageStore(1 << 20, dir)) {
            for (boolean pipelined : new boolean[] {false, true}) {
                Path target = dir.resolve("pages-2.img");
                PageStreamException e = assertThrows(PageStreamException.class,
                        () -> new PageRecipeReader(store, pipelined).read(new ByteArrayInputStream(recipe), target));
                assertEquals(reason, e.reason(), e.getMessage());
                assertTrue(e.getMessage().startsWith("the page recipe for pages-2.img") && e.getMessage().contains(words),
                        e.getMessage());
                assertEquals(target, e.file());
                assertFalse(Files.exists(target), "the partial file is deleted");
            }
        }
    }

    private static void fill(long number, int kind, byte[] page) {
        switch (kind) {
            case 0 -> TestPages.typical(number, page, 0);
            case 1 -> TestPages.compressible(number, page, 0);
            default -> TestPages.random(number, page, 0);
        }
    }

    private Path write(String name, byte[]... pages) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.write(file, concat(pages));
        return file;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static byte[] sha256(Path file) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
    }
}
