package io.haul.pages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Standalone recipes, made in one order and forwarded onto the stream in another. */
class PageRecipeForwarderTest {

    private static final int PAGE = PageHasher.PAGE_SIZE;

    @TempDir
    Path dir;

    private final byte[] held = TestPages.page(1, "typical");
    private final byte[] shared = TestPages.page(2, "random");
    private final byte[] sharedToo = TestPages.page(3, "compressible");
    private final Set<PageHash> destinationHolds = Set.of(new PageHasher().hash(held));

    @Test
    void recipesForwardedInAnotherOrderThanMadeRebuildEveryImageAndCarryEachPageOnce() throws Exception {
        List<Path> images = List.of(
                write("pages-1.img", shared, held, TestPages.page(4, "typical"), new byte[PAGE], shared),
                write("pages-2.img", sharedToo, shared, held),
                write("pages-3.img", concat(sharedToo, TestPages.page(5, "random"), Arrays.copyOf(shared, 100))));
        PageRecipeWriter writer = new PageRecipeWriter(destinationHolds::contains, 2);
        byte[][] standalone = new byte[3][];
        for (int i = 2; i >= 0; i--) { // made last to first, as captures may end
            standalone[i] = standalone(writer, images.get(i));
        }

        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        long literals = 0;
        for (byte[] recipe : standalone) { // forwarded first to last, as the stream sends them
            literals += writer.forward(new ByteArrayInputStream(recipe), stream).literals();
        }
        assertEquals(4, literals, "the 4 new pages cross once each, shared and sharedToo too");

        ByteArrayOutputStream written = new ByteArrayOutputStream();
        PageRecipeWriter inStreamOrder = new PageRecipeWriter(destinationHolds::contains, 0);
        for (Path image : images) {
            inStreamOrder.write(image, written);
        }
        assertArrayEquals(written.toByteArray(), stream.toByteArray(),
                "the stream is the one a writer called in the stream's order writes");

        try (PageStore store = new PageStore(1 << 20, dir.resolve("store"))) {
            store.put(new PageHasher().hash(held), held);
            InputStream in = new BufferedInputStream(new ByteArrayInputStream(stream.toByteArray()));
            for (Path image : images) {
                Path rebuilt = dir.resolve("rebuilt-" + image.getFileName());
                new PageRecipeReader(store).read(in, rebuilt);
                assertEquals(-1, Files.mismatch(image, rebuilt), image.getFileName().toString());
            }
        }
    }

    @Test
    void aStandaloneRecipeIsNeitherReadAsItIsNorForwardedWhenCut() throws Exception {
        byte[] standalone = standalone(new PageRecipeWriter(hash -> false), write("pages-1.img", shared));

        try (PageStore store = new PageStore(1 << 20, dir.resolve("store"))) {
            PageStreamException e = assertThrows(PageStreamException.class, () -> new PageRecipeReader(store)
                    .read(new ByteArrayInputStream(standalone), dir.resolve("rebuilt.img")));
            assertTrue(e.getMessage().contains("standalone page recipe (HPS2)"), e.getMessage());
        }
        IOException cut = assertThrows(IOException.class, () -> new PageRecipeWriter(hash -> false)
                .forward(new ByteArrayInputStream(Arrays.copyOf(standalone, standalone.length - 1)),
                        new ByteArrayOutputStream()));
        assertTrue(cut.getMessage().contains("ended before its end marker"), cut.getMessage());
    }

    private static byte[] standalone(PageRecipeWriter writer, Path image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (FileChannel source = FileChannel.open(image)) {
            writer.writeStandalone(source, out);
        }
        return out.toByteArray();
    }

    private Path write(String name, byte[]... pages) throws IOException {
        return Files.write(dir.resolve(name), concat(pages));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
