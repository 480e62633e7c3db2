package io.haul.engine;

import io.haul.host.linux.ErrnoException;
import io.haul.host.linux.Syscalls;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CRIU's page images taken as CRIU writes them, on the source: before the dump, the names CRIU will give them
 * ({@code pages-1.img}, {@code pages-2.img}...) are made FIFOs in the images folder, and a thread behind each
 * turns what CRIU writes into a page recipe while the dump runs. The pages never land in a file, so the frozen
 * window neither fills the page cache with a copy of the tree's memory (new memory, which a virtual machine
 * pays for on first touch: 1 GiB of images took 2-3 s to write here, against 0.5 s on a warm host) nor reads
 * that copy back to hash it.
 *
 * <p>After the dump each FIFO a pagemap names is replaced by a sparse file of the size CRIU wrote, so the
 * images folder still says what the images hold; its recipe is sent instead of reading the file
 * ({@link #recipeOf}). The other FIFOs are removed. A page image beyond the FIFOs made (the tree grew) is an
 * ordinary file, sent the ordinary way. If a capturing thread fails, it closes its end: CRIU's write fails, the
 * dump fails and the tree runs on. The captures end in no set order (see {@link #start}), so what one recipe
 * holds may not depend on another's.
 */
final class PageImageCapture implements AutoCloseable {

    /** Writes one recipe: a source read to its end, the recipe to {@code out}; returns the bytes read. */
    interface RecipeWriter {
        long write(FileChannel source, OutputStream out) throws IOException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(PageImageCapture.class);
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    private static final int O_NONBLOCK = 0x800;
    private static final int F_SETPIPE_SZ = 1031;
    private static final int ENXIO = 6;
    /** CRIU moves pages in pipes of up to 1 MiB; a FIFO of 64 KiB (the default) would cut each move in 16. */
    private static final int PIPE_BYTES = 1 << 20;

    private final Path images;
    private final List<Pipe> pipes = new ArrayList<>();
    private final Map<String, Path> recipes = new HashMap<>();

    private PageImageCapture(Path images) {
        this.images = images;
    }

    /**
     * Makes FIFOs {@code pages-1.img} to {@code pages-COUNT.img} in {@code images} and starts reading each
     * into a recipe in {@code recipeDir} with {@code writer}, called for one image at a time (its hashing threads
     * take the cores already). CRIU writes the images one after the other, each task's and then each shared
     * memory area's, but they reach the writer in any order: an image that fits in its FIFO is written and closed
     * before its reader has taken the writer, and the readers then waiting take it in no set order (a reader that
     * reaches its FIFO only after CRIU has closed it even waits for {@link #finish}). Measured here with a 16 MiB
     * image followed by four of 256-448 KiB: 27 runs in 40 took the four in another order; none did with four of
     * 2 MiB, whose writes wait for their readers.
     */
    static PageImageCapture start(Path images, Path recipeDir, int count, RecipeWriter writer) throws IOException {
        Files.createDirectories(recipeDir);
        PageImageCapture capture = new PageImageCapture(images);
        try {
            for (int id = 1; id <= count; id++) {
                String name = "pages-" + id + ".img";
                Path fifo = images.resolve(name);
                try {
                    Syscalls.mkfifo(fifo.toString(), 0600);
                } catch (ErrnoException e) {
                    throw new IOException("cannot make the FIFO " + fifo + ": " + e.getMessage(), e);
                }
                try {
                    capture.pipes.add(new Pipe(id, fifo, recipeDir.resolve(name + ".recipe"), writer));
                } catch (IOException e) {
                    Files.deleteIfExists(fifo);
                    throw e;
                }
            }
        } catch (IOException | RuntimeException e) {
            capture.close();
            throw e;
        }
        return capture;
    }

    /**
     * After CRIU has written its images (it holds the tree frozen now): waits for each capture to end, replaces
     * each used FIFO by a sparse file of the captured size and removes the others. Fails when a capture failed.
     */
    void finish() throws IOException {
        IOException failure = null;
        for (Pipe pipe : pipes) {
            pipe.release();
        }
        Set<Integer> used = PagemapHeads.pagesIds(images);
        for (Pipe pipe : pipes) {
            Long bytes = null;
            try {
                bytes = pipe.result.join();
            } catch (CompletionException e) {
                IOException cause = e.getCause() instanceof IOException io ? io
                        : new IOException("capturing " + pipe.name + " failed: " + e.getCause(), e.getCause());
                if (failure == null) {
                    failure = cause;
                } else {
                    failure.addSuppressed(cause);
                }
            }
            Files.delete(pipe.fifo);
            if (bytes != null && used.contains(pipe.id)) {
                try (RandomAccessFile file = new RandomAccessFile(pipe.fifo.toFile(), "rw")) {
                    file.setLength(bytes);
                }
                recipes.put(pipe.name, pipe.recipe);
            } else {
                Files.deleteIfExists(pipe.recipe);
            }
        }
        pipes.clear();
        if (failure != null) {
            throw failure;
        }
    }

    /** The recipe of a captured page image, or null when {@code name} was not captured. */
    Path recipeOf(String name) {
        return recipes.get(name);
    }

    /** Ends captures still waiting (a failed dump) and removes what is left of them. */
    @Override
    public void close() {
        for (Pipe pipe : pipes) {
            pipe.release();
        }
        for (Pipe pipe : pipes) {
            pipe.result.exceptionally(e -> 0L).join();
            try {
                Files.deleteIfExists(pipe.fifo);
                Files.deleteIfExists(pipe.recipe);
            } catch (IOException e) {
                LOG.warn("cannot remove {}: {}", pipe.fifo, e.toString());
            }
        }
        pipes.clear();
    }

    /** One FIFO and the thread that reads it. */
    private static final class Pipe {

        final int id;
        final String name;
        final Path fifo;
        final Path recipe;
        final CompletableFuture<Long> result = new CompletableFuture<>();

        /** A reader end held open from the start, so the pipe (and its size) exists before CRIU opens it. */
        private final int keeper;
        private boolean keeperOpen = true;

        Pipe(int id, Path fifo, Path recipe, RecipeWriter writer) throws IOException {
            this.id = id;
            this.name = fifo.getFileName().toString();
            this.fifo = fifo;
            this.recipe = recipe;
            try {
                keeper = Syscalls.open(fifo.toString(), O_RDONLY | O_NONBLOCK);
            } catch (ErrnoException e) {
                throw new IOException("cannot open the FIFO " + fifo + ": " + e.getMessage(), e);
            }
            try {
                Syscalls.fcntl(keeper, F_SETPIPE_SZ, PIPE_BYTES);
            } catch (ErrnoException e) {
                LOG.debug("{} keeps the default pipe size: {}", fifo, e.getMessage());
            }
            Thread thread = new Thread(() -> capture(writer), "haul-capture-" + name);
            thread.setDaemon(true);
            thread.start();
        }

        private void capture(RecipeWriter writer) {
            // opening a FIFO for reading waits for a writer (CRIU, or release()); reading ends once every writer
            // has closed, with all CRIU wrote: whether CRIU used this name at all, its pagemaps tell afterwards
            try (FileChannel in = FileChannel.open(fifo, StandardOpenOption.READ);
                    OutputStream out = Files.newOutputStream(recipe)) {
                long bytes;
                synchronized (writer) {
                    bytes = writer.write(in, out);
                }
                result.complete(bytes);
            } catch (IOException | RuntimeException e) {
                dropKeeper(); // with no reader left, CRIU's next write fails instead of waiting for room
                result.completeExceptionally(new IOException("capturing the page image " + name + " as CRIU wrote it: "
                        + e.getMessage(), e));
            }
        }

        /**
         * Lets a reader still waiting for a writer go (a writer that opens and closes at once) and drops the
         * keeper: from now on, the reader's end of the pipe is the last.
         */
        void release() {
            if (!result.isDone()) {
                try {
                    Syscalls.close(Syscalls.open(fifo.toString(), O_WRONLY | O_NONBLOCK));
                } catch (ErrnoException e) {
                    if (e.errno() != ENXIO) { // ENXIO: no reader has it open (it has just ended)
                        LOG.warn("cannot release the reader of {}: {}", fifo, e.getMessage());
                    }
                }
            }
            dropKeeper();
        }

        private synchronized void dropKeeper() {
            if (keeperOpen) {
                keeperOpen = false;
                try {
                    Syscalls.close(keeper);
                } catch (ErrnoException e) {
                    LOG.debug("closing the keeper of {}: {}", fifo, e.getMessage());
                }
            }
        }
    }
}
