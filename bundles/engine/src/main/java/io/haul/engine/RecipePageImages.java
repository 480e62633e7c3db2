package io.haul.engine;

import io.haul.pages.PageHash;
import io.haul.pages.PageRecipeReader;
import io.haul.pages.PageRecipeWriter;
import io.haul.pages.PageStore;
import io.haul.protocol.PageImages;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * CRIU's page images ({@code pages-N.img}, plain concatenations of 4 KiB pages) sent as recipes: pages the
 * destination's store holds go as references, only the others as compressed bytes. The destination rebuilds
 * each file and checks it against the source's length and check value before anything restores from it.
 */
final class RecipePageImages implements PageImages {

    private static final Pattern PAGE_IMAGE = Pattern.compile("pages-\\d+\\.img");

    private final PageRecipeWriter writer;
    private final PageStore store;

    private RecipePageImages(PageRecipeWriter writer, PageStore store) {
        this.writer = writer;
        this.store = store;
    }

    /**
     * The source's side: knows what the destination holds (asked from hashing threads: must be thread-safe).
     * One writer for the whole dump, so a page new to the destination crosses once even when several page
     * images hold it.
     */
    static RecipePageImages sending(Predicate<PageHash> destinationHas) {
        return new RecipePageImages(new PageRecipeWriter(destinationHas), null);
    }

    /** The destination's side: rebuilds from its store, which also takes each literal page it reads. */
    static RecipePageImages receiving(PageStore store) {
        return new RecipePageImages(null, store);
    }

    @Override
    public boolean handles(String name) {
        return PAGE_IMAGE.matcher(name).matches();
    }

    @Override
    public void send(Path file, OutputStream out) throws IOException {
        if (writer == null) {
            throw new IOException("the destination side does not send page images");
        }
        writer.write(file, out);
    }

    @Override
    public void receive(InputStream in, Path target) throws IOException {
        if (store == null) {
            throw new IOException("the source side does not receive page images");
        }
        new PageRecipeReader(store).read(in, target);
    }
}
