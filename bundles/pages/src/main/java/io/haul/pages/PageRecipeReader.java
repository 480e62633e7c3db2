package io.haul.pages;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The destination side of the final dump: rebuilds a page image from a {@link PageRecipe}, taking REF pages
 * from the {@link PageStore} and putting LITERAL pages into it (a later REF may name them), then checks the
 * rebuilt file's length and check value ({@link FileCheck}) against the recipe's end marker. On any failure the
 * partial file is deleted and a {@link PageStreamException} naming it says why (an unknown page, a mismatch, a
 * malformed or truncated recipe); I/O errors of the file itself are thrown as they are, after the same deletion.
 *
 * <p>Reads exactly up to the end marker and no further, so one stream can carry several recipes; for speed,
 * hand it a buffered stream. With {@code pipelined}, a second thread computes the check value and writes the
 * file while the calling thread decodes. The name of the file is the caller's to check (protocol's ImageNames).
 */
public final class PageRecipeReader {

    /** What a rebuilt image held and how its pages came, and the recipe's bytes read. */
    public record Result(long imageBytes, long pages, long refs, long zeros, long literals, long bytesRead) {
    }

    private static final int PAGE = PageHasher.PAGE_SIZE;
    private static final int CHUNK_BYTES = 256 * PAGE;
    private static final byte[] ZERO_PAGE = new byte[PAGE];

    private final PageStore store;
    private final boolean pipelined;
    private final PageCodec codec = new PageCodec();
    private final PageHasher hasher = new PageHasher();
    /** A literal's or the partial last page's bytes, on their way into the output. */
    private final byte[] scratch = new byte[PAGE];

    /** A reader into {@code store}, pipelined when this machine has more than one processor. */
    public PageRecipeReader(PageStore store) {
        this(store, Runtime.getRuntime().availableProcessors() > 1);
    }

    public PageRecipeReader(PageStore store, boolean pipelined) {
        this.store = Objects.requireNonNull(store, "store");
        this.pipelined = pipelined;
    }

    /** Rebuilds {@code target} (which must not exist) from the recipe on {@code in}, of any size. */
    public Result read(InputStream in, Path target) throws IOException {
        return read(in, target, Long.MAX_VALUE);
    }

    /** Rebuilds {@code target} (which must not exist) from the recipe on {@code in}, refusing more than {@code maxBytes}. */
    public Result read(InputStream in, Path target, long maxBytes) throws IOException {
        return rebuildInto(FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), in,
                target, maxBytes);
    }

    /**
     * Rebuilds {@code target}, an existing file of any content, from the recipe on {@code in}: its bytes are
     * overwritten and it is cut to the rebuilt length. For a file whose pages the page cache holds already
     * (see the engine's PreparedPageImage): writing into them costs a copy, not new memory.
     */
    public Result readOver(InputStream in, Path target, long maxBytes) throws IOException {
        return rebuildInto(FileChannel.open(target, StandardOpenOption.WRITE), in, target, maxBytes);
    }

    /** Rebuilds into {@code channel} (then closed), the file {@code target}, which is deleted on any failure. */
    private Result rebuildInto(FileChannel channel, InputStream in, Path target, long maxBytes) throws IOException {
        String name = String.valueOf(target.getFileName());
        Output output = pipelined ? new PipelinedOutput(channel) : new Output(channel);
        boolean done = false;
        try {
            Result result = rebuild(new CountingInput(in), name, maxBytes, output);
            channel.truncate(result.imageBytes()); // a reused file may have been longer
            done = true;
            return result;
        } catch (PageStreamException e) {
            throw new PageStreamException(e.reason(), target, "the page recipe for " + name + ": " + e.getMessage(), e);
        } catch (EOFException e) {
            throw new PageStreamException(PageStreamException.Reason.TRUNCATED, target,
                    "the page recipe for " + name + " ended before its end marker", e);
        } finally {
            output.close();
            if (!done) {
                Files.deleteIfExists(target);
            }
        }
    }

    private Result rebuild(CountingInput counted, String name, long maxBytes, Output output) throws IOException {
        DataInputStream in = new DataInputStream(counted);
        int magic = in.readInt();
        if (magic == PageRecipe.MAGIC_V1) {
            throw new PageStreamException(PageStreamException.Reason.MALFORMED,
                    "a page recipe of the first format (HPR1): the source's agent is older, upgrade it");
        }
        if (magic == PageRecipe.STANDALONE_MAGIC) {
            throw new PageStreamException(PageStreamException.Reason.MALFORMED,
                    "a standalone page recipe (HPS2), which the source must forward, not send as it is");
        }
        if (magic != PageRecipe.MAGIC) {
            throw new PageStreamException(PageStreamException.Reason.MALFORMED,
                    "not a page recipe (it starts with 0x" + Integer.toHexString(magic) + ")");
        }
        long length = 0;
        long refs = 0;
        long zeros = 0;
        long literals = 0;
        boolean tail = false;
        while (true) {
            int tag = in.readUnsignedByte();
            if (tag == PageRecipe.END) {
                long declared = in.readLong();
                long expected = in.readLong();
                long actual = output.finish();
                if (declared != length) {
                    throw new PageStreamException(PageStreamException.Reason.LENGTH_MISMATCH,
                            "rebuilt " + length + " bytes, the source's file has " + declared);
                }
                if (expected != actual) {
                    throw new PageStreamException(PageStreamException.Reason.CHECKSUM_MISMATCH, "the rebuilt file's check "
                            + "value " + Long.toHexString(actual) + " differs from the source's " + Long.toHexString(expected));
                }
                return new Result(length, refs + zeros + literals, refs, zeros, literals, counted.count());
            }
            if (tail) {
                throw new PageStreamException(PageStreamException.Reason.MALFORMED, "an entry after the partial last page");
            }
            long page = length / PAGE;
            if (tag == PageRecipe.TAIL) {
                int n = in.readUnsignedShort();
                if (n == 0 || n >= PAGE) {
                    throw new PageStreamException(PageStreamException.Reason.MALFORMED, "a partial last page of " + n + " bytes");
                }
                checkRoom(length, n, maxBytes);
                in.readFully(scratch, 0, n);
                output.page().put(output.at(), scratch, 0, n);
                output.advance(n);
                length += n;
                tail = true;
                continue;
            }
            checkRoom(length, PAGE, maxBytes);
            ByteBuffer buffer = output.page();
            int at = output.at();
            switch (tag) {
                case PageRecipe.REF -> {
                    PageHash hash = PageHash.readFrom(in);
                    if (!store.read(hash, buffer, at)) {
                        throw new PageStreamException(PageStreamException.Reason.UNKNOWN_PAGE, "page " + page
                                + " refers to page " + hash + ", which the page store does not hold");
                    }
                    refs++;
                }
                case PageRecipe.ZERO -> {
                    buffer.put(at, ZERO_PAGE, 0, PAGE);
                    zeros++;
                }
                case PageRecipe.LITERAL -> {
                    PageCodec.Kind kind = codec.decode(in, scratch, 0);
                    if (kind != PageCodec.Kind.ZERO) {
                        store.put(hasher.hash(scratch, 0), scratch, 0);
                    }
                    buffer.put(at, scratch, 0, PAGE);
                    literals++;
                }
                default -> throw new PageStreamException(PageStreamException.Reason.MALFORMED,
                        "unknown entry tag 0x" + Integer.toHexString(tag) + " at page " + page);
            }
            output.advance(PAGE);
            length += PAGE;
        }
    }

    private static void checkRoom(long length, int more, long maxBytes) throws PageStreamException {
        if (length + more > maxBytes) {
            throw new PageStreamException(PageStreamException.Reason.TOO_LARGE,
                    "the rebuilt file would exceed the " + maxBytes + " bytes allowed");
        }
    }

    /**
     * Where rebuilt bytes go: a 1 MiB direct buffer written to the file and checked as it fills. Direct, so
     * that a page from the store is copied once on its way to the file: a heap buffer is copied again by the
     * channel into a direct buffer of its own (1 GiB copied from heap pages over a prepared file took 1.7-2.7 s
     * through a heap buffer, 0.9-1.9 s through a direct one, on the loaded 2 cores here).
     */
    private static class Output {

        final FileChannel channel;
        final FileCheck check = new FileCheck();
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK_BYTES);
        int used;
        long written;

        Output(FileChannel channel) {
            this.channel = channel;
        }

        /** The buffer the next page goes into, at {@link #at()}, with room for a page. */
        ByteBuffer page() throws IOException {
            if (CHUNK_BYTES - used < PAGE) {
                drain();
            }
            return buffer;
        }

        int at() {
            return used;
        }

        void advance(int n) {
            used += n;
        }

        void drain() throws IOException {
            if (used > 0) {
                writeOut(buffer, used, written);
                written += used;
                used = 0;
            }
        }

        void writeOut(ByteBuffer bytes, int length, long position) throws IOException {
            check.update(bytes, 0, length);
            ByteBuffer out = bytes.duplicate().clear().limit(length);
            while (out.hasRemaining()) {
                channel.write(out, position + out.position());
            }
        }

        /** Writes what is left and returns the check value of everything. */
        long finish() throws IOException {
            drain();
            return check.value();
        }

        void close() throws IOException {
            channel.close();
        }
    }

    /** The same, with the hashing and writing on a second thread, two buffers in flight. */
    private static final class PipelinedOutput extends Output {

        private final ExecutorService writer = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "haul-pages-rebuild");
            thread.setDaemon(true);
            return thread;
        });
        private final ArrayDeque<Future<ByteBuffer>> inFlight = new ArrayDeque<>();
        private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();

        PipelinedOutput(FileChannel channel) {
            super(channel);
        }

        @Override
        void drain() throws IOException {
            if (used == 0) {
                return;
            }
            ByteBuffer full = buffer;
            int length = used;
            long position = written;
            inFlight.add(writer.submit(() -> {
                try {
                    writeOut(full, length, position);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return full;
            }));
            written += used;
            used = 0;
            if (free.isEmpty() && inFlight.size() < 2) {
                buffer = ByteBuffer.allocateDirect(CHUNK_BYTES);
            } else {
                buffer = free.isEmpty() ? await(inFlight.poll()) : free.poll();
            }
        }

        @Override
        long finish() throws IOException {
            drain();
            while (!inFlight.isEmpty()) {
                free.add(await(inFlight.poll()));
            }
            return check.value();
        }

        @Override
        void close() throws IOException {
            for (Future<ByteBuffer> future : inFlight) {
                future.cancel(true);
            }
            writer.shutdownNow();
            try {
                writer.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            super.close();
        }

        private static ByteBuffer await(Future<ByteBuffer> future) throws IOException {
            try {
                return future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while a page image was rebuilt");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UncheckedIOException io) {
                    throw io.getCause();
                }
                throw new IOException("rebuilding a page image failed", e.getCause());
            }
        }
    }
}
