package io.haul.pages;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * The source side of the final dump: writes a {@link PageRecipe} for a page image, naming the pages the
 * destination holds (REF), flagging zero pages (ZERO), and sending the rest (LITERAL, LZ4 where it pays).
 * A page sent as LITERAL by this writer is sent as REF when it comes again, in the same file or a later one
 * (the reader stores literals), so each distinct page crosses once. That holds only if the destination reads the
 * recipes in the order this writer wrote them onto the stream. A recipe made before its place on the stream is
 * known (the engine's capture of CRIU's page images, which end in any order) is written standalone
 * ({@link #writeStandalone}) and put on the stream later with {@link #forward}, which sends the literals the
 * stream carried already as references.
 *
 * <p>The file is read in order in 1 MiB chunks by the calling thread. With {@code hashThreads > 0}, that many
 * threads hash and encode chunks ahead while the calling thread reads, computes the file's check value
 * ({@link FileCheck}) and writes the stream in order; the output is the same either way. {@code destinationHas} is then called from those threads, at once: it must be
 * thread-safe (a read of a concurrent set, say).
 *
 * <p>One writer per migration; not thread-safe itself: {@link #write} and {@link #forward} are called in the
 * order of the stream.
 */
public final class PageRecipeWriter {

    /** What one recipe held: the image's bytes and pages, how its pages went, and the recipe's size. */
    public record Stats(long imageBytes, long pages, long refs, long zeros, long literals, long bytesWritten) {
    }

    private static final int PAGE = PageHasher.PAGE_SIZE;
    private static final int CHUNK_PAGES = 256;
    private static final int CHUNK_BYTES = CHUNK_PAGES * PAGE;

    private static final byte IS_ZERO = 0;
    private static final byte IS_HELD = 1;
    private static final byte IS_NEW = 2;

    private final Predicate<PageHash> destinationHas;
    private final KnownPages known;
    private final int hashThreads;
    private final HashIndex sent = new HashIndex(1 << 12);

    /** A writer that hashes ahead on {@link #defaultHashThreads()} threads. */
    public PageRecipeWriter(Predicate<PageHash> destinationHas) {
        this(destinationHas, defaultHashThreads());
    }

    /** A writer that hashes ahead on {@code hashThreads} threads (0: all on the calling thread). */
    public PageRecipeWriter(Predicate<PageHash> destinationHas, int hashThreads) {
        this(destinationHas, null, hashThreads);
    }

    /**
     * A writer that names a page found in {@code known} by the hash found there, without hashing it (a
     * fingerprint costs a tenth of a SHA-256 here), and hashes the others on {@code hashThreads} threads (0: all
     * on the calling thread). Every page {@code known} finds must be one {@code destinationHas} says it holds.
     */
    public PageRecipeWriter(Predicate<PageHash> destinationHas, KnownPages known, int hashThreads) {
        if (hashThreads < 0) {
            throw new IllegalArgumentException("hashThreads " + hashThreads);
        }
        this.destinationHas = Objects.requireNonNull(destinationHas, "destinationHas");
        this.known = known;
        this.hashThreads = hashThreads;
    }

    /**
     * As many as the processors, at most 4: the calling thread only waits, checks and writes (a CRC, a few ms per
     * GiB), so the hashing threads bound the pace.
     */
    public static int defaultHashThreads() {
        return Math.min(4, Runtime.getRuntime().availableProcessors());
    }

    /** Writes the recipe of {@code image} with a new writer: the one-file case. */
    public static Stats write(Path image, Predicate<PageHash> destinationHas, OutputStream out) throws IOException {
        return new PageRecipeWriter(destinationHas).write(image, out);
    }

    /**
     * Writes the recipe of {@code image} to {@code out} (buffered here, flushed at the end, never closed). The
     * file must not change meanwhile (CRIU has finished with it); if it does, this fails.
     */
    public Stats write(Path image, OutputStream out) throws IOException {
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.READ)) {
            long size = channel.size();
            Stats stats = write(channel, out);
            if (stats.imageBytes() != size || channel.size() != size) {
                throw new IOException("the page image " + image + " changed size while its recipe was written ("
                        + size + " then " + channel.size() + " bytes)");
            }
            return stats;
        }
    }

    /**
     * Writes the recipe of what {@code source} yields until its end (a page image, or a pipe CRIU writes one
     * into), read in order. {@code out} is buffered here, flushed at the end, never closed.
     */
    public Stats write(ReadableByteChannel source, OutputStream out) throws IOException {
        return write(source, new Emitter(new Sink(out, 1 << 18), sent, false));
    }

    /**
     * Writes a standalone recipe ({@link PageRecipe}) of what {@code source} yields until its end, for
     * {@link #forward} to put on the stream later: it refers only to pages the destination held before
     * ({@code destinationHas}) and to literals earlier in itself, so its place on the stream does not matter;
     * nothing is counted sent. {@code out} is buffered here, flushed at the end, never closed.
     */
    public Stats writeStandalone(ReadableByteChannel source, OutputStream out) throws IOException {
        return write(source, new Emitter(new Sink(out, 1 << 18), new HashIndex(1 << 8), true));
    }

    /**
     * Puts a standalone recipe, read from {@code standalone} up to its end marker (hand it a buffered stream),
     * onto this writer's stream {@code out} as a recipe: each literal this writer has sent already (written or
     * forwarded before) goes as a REF, the others go as they are and count as sent. The image rebuilt is the
     * same. {@code out} is buffered here, flushed at the end, never closed.
     */
    public Stats forward(InputStream standalone, OutputStream out) throws IOException {
        return PageRecipeForwarder.forward(standalone, new Sink(out, 1 << 18), sent);
    }

    private Stats write(ReadableByteChannel source, Emitter emitter) throws IOException {
        Sink sink = emitter.sink;
        sink.writeInt(emitter.standalone ? PageRecipe.STANDALONE_MAGIC : PageRecipe.MAGIC);
        long size = hashThreads == 0 ? inline(source, emitter) : pipelined(source, emitter);
        sink.writeByte(PageRecipe.END);
        sink.writeLong(size);
        sink.writeLong(emitter.check.value());
        sink.flush();
        return new Stats(size, emitter.pages, emitter.refs, emitter.zeros, emitter.literals, sink.count());
    }

    private long inline(ReadableByteChannel source, Emitter emitter) throws IOException {
        Chunk chunk = new Chunk();
        long size = 0;
        while (chunk.load(source) > 0) {
            chunk.analyze(destinationHas, known);
            emitter.emit(chunk);
            size += chunk.length;
        }
        return size;
    }

    /** Reads chunks in order on this thread, hashes them on the workers, emits them in order. */
    private long pipelined(ReadableByteChannel source, Emitter emitter) throws IOException {
        int window = hashThreads + 1;
        ExecutorService workers = Executors.newFixedThreadPool(hashThreads, runnable -> {
            Thread thread = new Thread(runnable, "haul-pages-recipe");
            thread.setDaemon(true);
            return thread;
        });
        ArrayDeque<Future<Chunk>> inFlight = new ArrayDeque<>();
        ArrayDeque<Chunk> free = new ArrayDeque<>();
        long size = 0;
        boolean ended = false;
        try {
            while (!ended || !inFlight.isEmpty()) {
                while (!ended && inFlight.size() < window) {
                    Chunk chunk = free.isEmpty() ? new Chunk() : free.poll();
                    if (chunk.load(source) == 0) {
                        ended = true;
                        break;
                    }
                    inFlight.add(workers.submit(() -> {
                        chunk.analyze(destinationHas, known);
                        return chunk;
                    }));
                }
                if (inFlight.isEmpty()) {
                    break;
                }
                Chunk done = await(inFlight.poll());
                emitter.emit(done);
                size += done.length;
                free.add(done);
            }
            return size;
        } finally {
            for (Future<Chunk> future : inFlight) {
                future.cancel(true);
            }
            workers.shutdownNow();
        }
    }

    private static Chunk await(Future<Chunk> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while a page recipe was written");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IOException(cause);
        }
    }

    /**
     * The in-order part, on the calling thread: the file's check value, dedup of literals against {@code sent}
     * (what the stream carried, or for a standalone recipe what it carries itself), the stream.
     */
    private static final class Emitter {

        final FileCheck check = new FileCheck();
        final Sink sink;
        final HashIndex sent;
        final boolean standalone;
        long pages;
        long refs;
        long zeros;
        long literals;

        Emitter(Sink sink, HashIndex sent, boolean standalone) {
            this.sink = sink;
            this.sent = sent;
            this.standalone = standalone;
        }

        void emit(Chunk chunk) throws IOException {
            check.update(chunk.data, 0, chunk.length);
            int full = chunk.length / PAGE;
            for (int i = 0; i < full; i++) {
                byte state = chunk.state[i];
                if (state == IS_ZERO) {
                    sink.writeByte(PageRecipe.ZERO);
                    zeros++;
                } else if (state == IS_HELD || sent.get(chunk.his[i], chunk.los[i]) != 0) {
                    sink.writeByte(PageRecipe.REF);
                    sink.writeLong(chunk.his[i]);
                    sink.writeLong(chunk.los[i]);
                    refs++;
                } else {
                    sink.writeByte(PageRecipe.LITERAL);
                    if (standalone) {
                        sink.writeLong(chunk.his[i]);
                        sink.writeLong(chunk.los[i]);
                    }
                    sink.write(chunk.encoded, chunk.encodedAt[i], chunk.encodedLength[i]);
                    sent.putIfAbsent(chunk.his[i], chunk.los[i], 1);
                    literals++;
                }
            }
            pages += full;
            int tail = chunk.length - full * PAGE;
            if (tail > 0) {
                sink.writeByte(PageRecipe.TAIL);
                sink.writeShort(tail);
                sink.write(chunk.data, full * PAGE, tail);
            }
        }
    }

    /** 256 pages of the file, with what the hashing threads found about each. Used by one thread at a time. */
    private static final class Chunk {

        final byte[] data = new byte[CHUNK_BYTES];
        final long[] his = new long[CHUNK_PAGES];
        final long[] los = new long[CHUNK_PAGES];
        final byte[] state = new byte[CHUNK_PAGES];
        final byte[] encoded = new byte[CHUNK_PAGES * PageCodec.MAX_ENCODED_BYTES];
        final int[] encodedAt = new int[CHUNK_PAGES];
        final int[] encodedLength = new int[CHUNK_PAGES];
        final PageHasher hasher = new PageHasher();
        final PageFingerprint fingerprint = new PageFingerprint();
        final PageCodec codec = new PageCodec();
        int length;

        /** Fills the chunk from {@code source} up to its size or the source's end; returns the bytes loaded. */
        int load(ReadableByteChannel source) throws IOException {
            ByteBuffer buffer = ByteBuffer.wrap(data, 0, CHUNK_BYTES);
            while (buffer.hasRemaining()) {
                if (source.read(buffer) < 0) {
                    break;
                }
            }
            length = buffer.position();
            return length;
        }

        void analyze(Predicate<PageHash> destinationHas, KnownPages known) {
            int full = length / PAGE;
            int at = 0;
            for (int i = 0; i < full; i++) {
                int off = i * PAGE;
                if (PageHasher.isZero(data, off)) {
                    state[i] = IS_ZERO;
                    continue;
                }
                if (known != null) {
                    fingerprint.of(data, off);
                    PageHash held = known.byFingerprint(fingerprint.hi(), fingerprint.lo());
                    if (held != null) {
                        his[i] = held.hi();
                        los[i] = held.lo();
                        state[i] = IS_HELD;
                        continue;
                    }
                }
                PageHash hash = hasher.hash(data, off);
                his[i] = hash.hi();
                los[i] = hash.lo();
                if (destinationHas.test(hash)) {
                    state[i] = IS_HELD;
                } else {
                    state[i] = IS_NEW;
                    int n = codec.encode(data, off, encoded, at);
                    encodedAt[i] = at;
                    encodedLength[i] = n;
                    at += n;
                }
            }
        }
    }
}
