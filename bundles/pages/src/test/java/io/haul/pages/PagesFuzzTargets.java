package io.haul.pages;

import io.haul.fuzz.AllocationBound;
import io.haul.fuzz.Decoding;
import io.haul.fuzz.FuzzInputs;
import io.haul.fuzz.FuzzTarget;
import io.haul.fuzz.FuzzTargets;
import io.haul.fuzz.TypedErrors;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The pages bundle's decoders: the pre-copy push stream and the final dump's page recipes. */
public final class PagesFuzzTargets implements FuzzTargets {

    /** What a rebuilt image may grow to: 12 pages, so that a recipe with more entries is refused as too large. */
    static final long RECIPE_MAX_BYTES = 12L * PageHasher.PAGE_SIZE;

    private static final ReusedStore PUSH_STORE = new ReusedStore("pushes");
    private static final ReusedStore RECIPE_STORE = new ReusedStore("recipes");

    /**
     * A push stream: its codec's buffers and a page (a few KiB each) whatever comes; the pages it stores go into
     * the store's slab (set aside before), or the spill file, whose opening costs a few KiB.
     */
    static final FuzzTarget PUSH_STREAM = new FuzzTarget("pages.push-stream",
            FuzzInputs.around(PageStreamGenerators::push, 4096),
            () -> {
                PageStore store = PUSH_STORE.store();
                return input -> PagePushReader.readAll(new ByteArrayInputStream(input), store);
            },
            TypedErrors.of(PageStreamException.class), new AllocationBound(64 * 1024, 16));

    /**
     * A recipe, rebuilt into a file (not pipelined: the second thread's allocation would not be counted, and it
     * decodes the same way): its 1 MiB output buffer, the codec's buffers, the file's channel; then the store.
     */
    static final FuzzTarget RECIPE = new FuzzTarget("pages.recipe",
            FuzzInputs.around(PageStreamGenerators::recipe, 4096),
            () -> new RecipeTrial(RECIPE_STORE.store(), RECIPE_STORE.folder().resolve("pages-1.img")),
            TypedErrors.of(PageStreamException.class), new AllocationBound((1 << 20) + 64 * 1024, 16));

    @Override
    public List<FuzzTarget> targets() {
        return List.of(PUSH_STREAM, RECIPE);
    }

    /** One rebuild into {@code image}, which must not exist before and is removed after. */
    private record RecipeTrial(PageStore store, Path image) implements Decoding {

        @Override
        public void decode(byte[] input) throws Exception {
            new PageRecipeReader(store, false).read(new ByteArrayInputStream(input), image, RECIPE_MAX_BYTES);
        }

        @Override
        public void close() throws Exception {
            Files.deleteIfExists(image);
        }
    }
}
