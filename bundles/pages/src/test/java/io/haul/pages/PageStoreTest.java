package io.haul.pages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PageStoreTest {

    private static final int PAGE = PageHasher.PAGE_SIZE;

    @TempDir
    Path dir;

    private final PageHasher hasher = new PageHasher();

    @Test
    void withinTheBudgetEverythingStaysInMemory() throws Exception {
        try (PageStore store = new PageStore(1 << 20, dir.resolve("spill"))) {
            for (int i = 0; i < 256; i++) {
                byte[] page = TestPages.page(i, "typical");
                assertTrue(store.put(hasher.hash(page), page));
            }
            assertEquals(256, store.size());
            assertEquals(256, store.memoryPages());
            assertEquals(0, store.spilledPages());
            assertNull(store.spillFile());
            assertFalse(Files.exists(dir.resolve("spill")), "no spill folder until a page spills");
            byte[] back = new byte[PAGE];
            for (int i = 0; i < 256; i++) {
                byte[] page = TestPages.page(i, "typical");
                assertTrue(store.contains(hasher.hash(page)));
                assertTrue(store.read(hasher.hash(page), back));
                assertArrayEquals(page, back);
            }
            byte[] other = TestPages.page(999, "typical");
            assertFalse(store.contains(hasher.hash(other)));
            assertFalse(store.read(hasher.hash(other), back));
        }
    }

    @Test
    void beyondTheBudgetPagesSpillToAFileThatCloseDeletes() throws Exception {
        int pages = 3000;
        PageStore store = new PageStore(100 * PAGE + 123, dir);
        for (int i = 0; i < pages; i++) {
            byte[] page = TestPages.page(i, i % 2 == 0 ? "random" : "compressible");
            assertTrue(store.put(hasher.hash(page), page));
        }
        byte[] again = TestPages.page(2000, "random");
        assertFalse(store.put(hasher.hash(again), again), "a page already held is not stored twice");
        assertEquals(pages, store.size());
        assertEquals(100, store.memoryPages());
        assertEquals(pages - 100, store.spilledPages());
        Path spill = store.spillFile();
        assertNotNull(spill);
        assertEquals((long) (pages - 100) * PAGE, Files.size(spill));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(spill)));

        byte[] back = new byte[PAGE + 1];
        for (int i = pages - 1; i >= 0; i--) {
            byte[] page = TestPages.page(i, i % 2 == 0 ? "random" : "compressible");
            assertTrue(store.read(hasher.hash(page), back, 1));
            assertArrayEquals(page, java.util.Arrays.copyOfRange(back, 1, 1 + PAGE), "page " + i);
        }
        store.close();
        assertFalse(Files.exists(spill));
        store.close();
        assertThrows(IllegalStateException.class, () -> store.put(hasher.hash(again), again));
        assertThrows(IllegalStateException.class, () -> store.read(hasher.hash(again), new byte[PAGE]));
    }

    @Test
    void aDirectBufferGetsThePageFromMemoryFromTheSpillFileAndTheZeroPage() throws Exception {
        try (PageStore store = new PageStore(10 * PAGE, dir)) {
            for (int i = 0; i < 20; i++) {
                byte[] page = TestPages.page(i, "random");
                store.put(hasher.hash(page), page);
            }
            store.put(PageHash.ZERO_PAGE, new byte[PAGE]);
            assertEquals(10, store.spilledPages());
            java.nio.ByteBuffer into = java.nio.ByteBuffer.allocateDirect(3 * PAGE).position(5);
            byte[] back = new byte[PAGE];
            for (int i : new int[] {0, 9, 10, 19}) {
                byte[] page = TestPages.page(i, "random");
                assertTrue(store.read(hasher.hash(page), into, PAGE));
                into.get(PAGE, back);
                assertArrayEquals(page, back, "page " + i + (i < 10 ? ", in memory" : ", spilled"));
            }
            assertTrue(store.read(PageHash.ZERO_PAGE, into, 2 * PAGE));
            into.get(2 * PAGE, back);
            assertArrayEquals(new byte[PAGE], back);
            assertEquals(5, into.position(), "the buffer's position stays");
            assertFalse(store.read(hasher.hash(TestPages.page(99, "random")), into, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> store.read(PageHash.ZERO_PAGE, into, 2 * PAGE + 1));
        }
    }

    @Test
    void theZeroPageTakesNoRoom() throws Exception {
        try (PageStore store = new PageStore(0, dir)) {
            assertTrue(store.put(PageHash.ZERO_PAGE, new byte[PAGE]));
            assertEquals(1, store.size());
            assertEquals(0, store.spilledPages());
            byte[] back = TestPages.page(1, "random");
            assertTrue(store.read(PageHash.ZERO_PAGE, back));
            assertArrayEquals(new byte[PAGE], back);
        }
    }

    @Test
    void readersSeeEveryPageOnceItsPutReturnedWhileOneThreadWrites() throws Exception {
        int pages = 20_000;
        try (PageStore store = new PageStore(5_000L * PAGE, dir)) {
            PageHash[] published = new PageHash[pages];
            AtomicInteger count = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicInteger checks = new AtomicInteger();
            Thread writer = new Thread(() -> {
                PageHasher own = new PageHasher();
                try {
                    for (int i = 0; i < pages; i++) {
                        byte[] page = TestPages.page(i, "typical");
                        PageHash hash = own.hash(page);
                        store.put(hash, page);
                        published[i] = hash;
                        count.set(i + 1); // publishes published[i] to the readers
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int seed = r;
                readers.add(new Thread(() -> {
                    PageHasher own = new PageHasher();
                    byte[] back = new byte[PAGE];
                    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
                    try {
                        while (writer.isAlive() || checks.get() < 2_000) {
                            int known = count.get();
                            if (known == 0) {
                                continue;
                            }
                            PageHash hash = published[random.nextInt(known)];
                            if (!store.contains(hash) || !store.read(hash, back) || !own.hash(back).equals(hash)) {
                                throw new AssertionError("page " + hash + " is not readable as put");
                            }
                            checks.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            writer.start();
            readers.forEach(Thread::start);
            writer.join();
            for (Thread reader : readers) {
                reader.join();
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertEquals(pages, store.size());
            assertTrue(store.spilledPages() > 0);
            assertTrue(checks.get() >= 2_000, "reads checked: " + checks.get());
        }
    }
}
