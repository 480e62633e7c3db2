package io.haul.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.pages.PageRecipeReader;
import io.haul.pages.PageRecipeWriter;
import io.haul.pages.PageStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source's capture of page images through FIFOs, with this test in CRIU's place as their writer. */
class PageImageCaptureTest {

    private static final int PAGE = 4096;

    @TempDir
    Path work;

    @Test
    void aCapturedImageIsRebuiltByteForByteAndItsFifoBecomesASparseFileOfItsSize() throws Exception {
        Path images = Files.createDirectories(work.resolve("images"));
        PageRecipeWriter writer = new PageRecipeWriter(hash -> false, 2);
        byte[] written = new byte[5 * 256 * PAGE + 3 * PAGE];
        new Random(7).nextBytes(written);
        try (PageImageCapture capture = PageImageCapture.start(images, work.resolve("recipes"), 3,
                (source, out) -> writer.write(source, out).imageBytes())) {
            CriuStandIn.writePagemap(images.resolve("pagemap-1.img"), 1);
            CriuStandIn.writeImage(images.resolve("pages-1.img"), written);
            capture.finish();

            Path image = images.resolve("pages-1.img");
            assertTrue(Files.isRegularFile(image), "the FIFO CRIU wrote is a file again");
            assertEquals(written.length, Files.size(image), "the file says how much CRIU wrote");
            assertFalse(Files.exists(images.resolve("pages-2.img")), "a FIFO no pagemap names is removed");
            assertFalse(Files.exists(images.resolve("pages-3.img")));
            Path recipe = capture.recipeOf("pages-1.img");
            assertNotNull(recipe);
            Path rebuilt = work.resolve("rebuilt.img");
            try (PageStore store = new PageStore(0, work.resolve("store")); InputStream in = Files.newInputStream(recipe)) {
                new PageRecipeReader(store).read(in, rebuilt);
            }
            assertArrayEquals(written, Files.readAllBytes(rebuilt));
        }
    }

    @Test
    void aCaptureThatFailsBreaksCriusWriteAndFinishSaysWhich() throws Exception {
        Path images = Files.createDirectories(work.resolve("images"));
        try (PageImageCapture capture = PageImageCapture.start(images, work.resolve("recipes"), 2, (source, out) -> {
            source.read(ByteBuffer.allocate(PAGE));
            throw new IOException("no room for the recipe");
        })) {
            CriuStandIn.writePagemap(images.resolve("pagemap-1.img"), 1);
            assertThrows(IOException.class,
                    () -> CriuStandIn.writeImage(images.resolve("pages-1.img"), new byte[64 * 256 * PAGE]),
                    "CRIU's write fails once nobody reads: its dump fails and the tree runs on");
            IOException failure = assertThrows(IOException.class, capture::finish);
            assertTrue(failure.getMessage().contains("pages-1.img") && failure.getMessage().contains("no room"),
                    failure.getMessage());
        }
        assertFalse(Files.exists(images.resolve("pages-2.img")), "closing removes what is left");
    }
}
