package io.haul.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.pages.PageRecipeReader;
import io.haul.pages.PageRecipeWriter;
import io.haul.pages.PageStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The destination's prepared file: claimed by the first page image, rebuilt over, cut to its size. */
class PreparedPageImageTest {

    @TempDir
    Path work;

    @Test
    void theFirstImageIsRebuiltOverThePreparedFileAndCutToItsOwnSize() throws Exception {
        byte[] image = new byte[256 * 4096 + 3 * 4096 + 100];
        new Random(11).nextBytes(image);
        Path source = Files.write(work.resolve("source.img"), image);
        ByteArrayOutputStream recipe = new ByteArrayOutputStream();
        new PageRecipeWriter(hash -> false).write(source, recipe);

        Path target = work.resolve("pages-1.img");
        try (PreparedPageImage prepared = PreparedPageImage.start(work.resolve("prepared.img"), 4L << 20);
                PageStore store = new PageStore(1 << 20, work.resolve("store"))) {
            prepared.awaitPrepared();
            assertTrue(prepared.claimAs(target), "a prepared file is claimed once it is ready");
            assertFalse(prepared.claimAs(work.resolve("pages-2.img")), "and only once");
            new PageRecipeReader(store).readOver(new ByteArrayInputStream(recipe.toByteArray()), target, Long.MAX_VALUE);
        }
        assertArrayEquals(image, Files.readAllBytes(target), "the 4 MiB prepared file now holds exactly the image");
        assertFalse(Files.exists(work.resolve("prepared.img")));
    }

    @Test
    void anUnclaimedPreparationIsDeletedOnClose() throws Exception {
        Path file = work.resolve("prepared.img");
        try (PreparedPageImage prepared = PreparedPageImage.start(file, 1L << 20)) {
            prepared.awaitPrepared();
            assertTrue(Files.exists(file));
        }
        assertFalse(Files.exists(file));
    }
}
