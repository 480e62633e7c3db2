package io.haul.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.pages.PageHash;
import io.haul.pages.PageHasher;
import io.haul.pages.PagePushReader;
import io.haul.pages.PageStore;
import io.haul.protocol.ImageStream;
import io.haul.protocol.TransferProgress;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tree's page images from CRIU (this test in its place) through their capture onto the image stream, in the
 * order the source sends them, and rebuilt by the destination: each must be what CRIU wrote.
 */
class RecipePageImagesTest {

    private static final int PAGE = PageHasher.PAGE_SIZE;
    /** What a capture's FIFO holds: CRIU's write of a larger image waits for its reader. */
    private static final int FIFO_BYTES = 1 << 20;

    @TempDir
    Path work;

    private final Random random = new Random(17);
    /** A page pre-copy pushed: the destination's store holds it before the images come. */
    private final byte[] precopied = page();
    private final PageHash precopiedHash = new PageHasher().hash(precopied);

    @Test
    void imagesWhoseCapturesEndOutOfOrderAreRebuiltAsCriuWroteThem() throws Exception {
        // two processes of a tree with the same eight pages changed since pre-copy's last round
        byte[] shared = pages(8);
        byte[] first = image(shared, page());
        byte[] second = image(shared, page());
        try (Source source = new Source(2)) {
            // CRIU writes pages-1.img first, but the captures end in either order (PageImageCapture.start says
            // why): pages-2.img's first here
            source.write(2, second);
            source.write(1, first);
            byte[] wire = source.send();

            Path rebuilt = receive(wire);
            assertArrayEquals(first, Files.readAllBytes(rebuilt.resolve("pages-1.img")));
            assertArrayEquals(second, Files.readAllBytes(rebuilt.resolve("pages-2.img")));
            // 10 pages in full and 504 references make 49.8 KB; with the shared ones in full twice, 82.4 KB
            assertTrue(wire.length < 13 * PAGE, "the 8 shared pages cross once: " + wire.length + " bytes on the wire");
        }
    }

    @Test
    void theTenthImageIsRebuiltThoughTheStreamSendsItBeforeTheSecond() throws Exception {
        // captured in CRIU's order, sent by name: pages-1.img, pages-10.img, pages-2.img...
        byte[] shared = page();
        byte[][] written = new byte[11][];
        try (Source source = new Source(10)) {
            for (int id = 1; id <= 10; id++) {
                written[id] = id == 2 || id == 10 ? image(shared, page()) : image(page());
                source.write(id, written[id]);
            }
            Path rebuilt = receive(source.send());
            for (int id = 1; id <= 10; id++) {
                String name = "pages-" + id + ".img";
                assertArrayEquals(written[id], Files.readAllBytes(rebuilt.resolve(name)), name);
            }
        }
    }

    /**
     * Pre-copy pushed every page of a tree (through the engine's sink); then the tree wrote three of them. The final
     * dump finds the others by fingerprint without hashing them again, and the three arrive with their new content.
     */
    @Test
    void pagesChangedAfterPreCopyArriveChangedAndTheOthersAreNotHashedAgain() throws Exception {
        int pages = FIFO_BYTES / PAGE + 1;
        byte[] before = pages(pages);
        ByteArrayOutputStream pushed = new ByteArrayOutputStream();
        PushingPageSink sink = new PushingPageSink(pushed);
        for (int i = 0; i < pages; i++) {
            sink.offer(1, 0x10000L + (long) i * PAGE, ByteBuffer.wrap(before, i * PAGE, PAGE).slice());
        }
        sink.end();
        byte[] after = before.clone();
        after[5 * PAGE + 7] ^= 1;
        after[100 * PAGE + 3000] ^= 0x40;
        System.arraycopy(page(), 0, after, (pages - 1) * PAGE, PAGE);
        try (Source source = new Source(1, RecipePageImages.sending(sink::destinationHas, sink.known()))) {
            source.write(1, after);
            byte[] wire = source.send();
            assertEquals(pages - 3, sink.foundByFingerprint(), "the unchanged pages were not hashed again");

            Path images = Files.createDirectories(work.resolve("destination"));
            try (PageStore store = new PageStore(1 << 20, work.resolve("store"))) {
                PagePushReader.readAll(new ByteArrayInputStream(pushed.toByteArray()), store);
                ImageStream.receive(new ByteArrayInputStream(wire), images, Long.MAX_VALUE, TransferProgress.NONE,
                        RecipePageImages.receiving(store, null));
            }
            assertArrayEquals(after, Files.readAllBytes(images.resolve("pages-1.img")), "the final dump, byte for byte");
            assertTrue(wire.length < 4 * PAGE + pages * 20, "only the changed pages in full: " + wire.length + " bytes");
        }
    }

    /** The destination: its store holds what pre-copy pushed; it rebuilds the images from the stream. */
    private Path receive(byte[] wire) throws Exception {
        Path images = Files.createDirectories(work.resolve("destination"));
        try (PageStore store = new PageStore(1 << 20, work.resolve("store"))) {
            store.put(precopiedHash, precopied);
            ImageStream.receive(new ByteArrayInputStream(wire), images, Long.MAX_VALUE, TransferProgress.NONE,
                    RecipePageImages.receiving(store, null));
        }
        return images;
    }

    /** The source during the dump: the capture of {@code count} page images, written by {@link #write}. */
    private final class Source implements AutoCloseable {

        final Path images = Files.createDirectories(work.resolve("source"));
        final RecipePageImages pageImages;
        final Semaphore captured = new Semaphore(0);
        final PageImageCapture capture;

        Source(int count) throws Exception {
            this(count, RecipePageImages.sending(precopiedHash::equals));
        }

        Source(int count, RecipePageImages pageImages) throws Exception {
            this.pageImages = pageImages;
            capture = PageImageCapture.start(images, work.resolve("recipes"), count, (in, out) -> {
                long bytes = pageImages.capture(in, out);
                captured.release();
                return bytes;
            });
        }

        /** CRIU writes page image {@code id} and its pagemap; returns once its capture has ended. */
        void write(int id, byte[] bytes) throws Exception {
            CriuStandIn.writePagemap(images.resolve("pagemap-" + id + ".img"), id);
            CriuStandIn.writeImage(images.resolve("pages-" + id + ".img"), bytes);
            assertTrue(captured.tryAcquire(30, TimeUnit.SECONDS), "pages-" + id + ".img was captured");
        }

        /** After the dump: every image on the stream, in the order the source sends them. */
        byte[] send() throws Exception {
            capture.finish();
            pageImages.captured(capture);
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            ImageStream.send(images, Workspace.fileNames(images), wire, TransferProgress.NONE, pageImages);
            return wire.toByteArray();
        }

        @Override
        public void close() {
            capture.close();
        }
    }

    /**
     * A page image of a process: {@code changed} (pages new to the destination), then pre-copied ones up to more
     * than the FIFO holds, so that writing it waits for its capture thread. (A smaller one could be written and
     * closed before that thread opens the FIFO, which it would then read only in {@code finish}.)
     */
    private byte[] image(byte[]... changed) {
        byte[] bytes = concat(changed);
        byte[] image = Arrays.copyOf(bytes, FIFO_BYTES + PAGE);
        for (int at = bytes.length; at < image.length; at += PAGE) {
            System.arraycopy(precopied, 0, image, at, PAGE);
        }
        return image;
    }

    /** A page of random bytes, new to the destination. */
    private byte[] page() {
        return pages(1);
    }

    private byte[] pages(int count) {
        byte[] bytes = new byte[count * PAGE];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }
}
