package io.haul.engine;

import io.haul.pages.KnownPages;
import io.haul.pages.PageHash;
import io.haul.pages.PageRecipeReader;
import io.haul.pages.PageRecipeWriter;
import io.haul.pages.PageStore;
import io.haul.protocol.PageImages;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
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
    private final PreparedPageImage prepared;
    private PageImageCapture captured;
    private long rebuildNanos;

    private RecipePageImages(PageRecipeWriter writer, PageStore store, PreparedPageImage prepared) {
        this.writer = writer;
        this.store = store;
        this.prepared = prepared;
    }

    /**
     * The source's side: knows what the destination holds (asked from hashing threads: must be thread-safe).
     * One writer for the whole dump, so a page new to the destination crosses once even when several page
     * images hold it: in full in the first image {@link #send} sends that holds it, by reference in the others.
     */
    static RecipePageImages sending(Predicate<PageHash> destinationHas) {
        return sending(destinationHas, null);
    }

    /**
     * The same, naming the pages {@code known} finds by their fingerprint without hashing them (null: hash
     * every page). Each page {@code known} finds must be one {@code destinationHas} says the destination holds.
     */
    static RecipePageImages sending(Predicate<PageHash> destinationHas, KnownPages known) {
        return new RecipePageImages(new PageRecipeWriter(destinationHas, known,
                PageRecipeWriter.defaultHashThreads()), null, null);
    }

    /**
     * The destination's side: rebuilds from its store, which also takes each literal page it reads; the first
     * page image over {@code prepared} when that is ready (null: none prepared).
     */
    static RecipePageImages receiving(PageStore store, PreparedPageImage prepared) {
        return new RecipePageImages(null, store, prepared);
    }

    @Override
    public boolean handles(String name) {
        return PAGE_IMAGE.matcher(name).matches();
    }

    /**
     * The source's side, during the dump: the recipe of a page image CRIU writes into {@code source}, standing
     * on its own. The images' captures end in any order, and the stream sends them by name (pages-10.img before
     * pages-2.img): which of them carries a shared page in full is only settled by {@link #send}.
     */
    long capture(FileChannel source, OutputStream out) throws IOException {
        if (writer == null) {
            throw new IOException("the destination side does not send page images");
        }
        return writer.writeStandalone(source, out).imageBytes();
    }

    /** The source's side: page images {@code capture} took are sent from their recipes, forwarded in turn. */
    void captured(PageImageCapture capture) {
        this.captured = capture;
    }

    @Override
    public void send(Path file, OutputStream out) throws IOException {
        if (writer == null) {
            throw new IOException("the destination side does not send page images");
        }
        Path recipe = captured == null ? null : captured.recipeOf(file.getFileName().toString());
        if (recipe == null) {
            writer.write(file, out);
            return;
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(recipe), 1 << 16)) {
            writer.forward(in, out);
        }
    }

    @Override
    public void receive(InputStream in, Path target) throws IOException {
        if (store == null) {
            throw new IOException("the source side does not receive page images");
        }
        long started = System.nanoTime();
        PageRecipeReader reader = new PageRecipeReader(store);
        if (prepared != null && prepared.claimAs(target)) {
            reader.readOver(in, target, Long.MAX_VALUE);
        } else {
            reader.read(in, target);
        }
        rebuildNanos += System.nanoTime() - started;
    }

    /** The destination's side: how long the page images took to rebuild, their recipes' arrival included. */
    long rebuildMillis() {
        return rebuildNanos / 1_000_000;
    }
}
