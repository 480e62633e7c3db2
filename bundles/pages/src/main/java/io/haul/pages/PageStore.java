package io.haul.pages;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The destination's pages, by content: each distinct page once. The first {@code memoryBudget} bytes of pages
 * stay in memory (in 1 MiB slabs, allocated as they fill); the rest go to an append-only spill file in the
 * spill folder (created on the first spill, readable by its owner only, deleted by {@link #close()}). The zero
 * page takes no room. The index (hash to place) is in memory, 35 to 70 bytes a page beside the budget.
 *
 * <p>Thread-safe: puts are serialized among themselves, and any number of threads may call {@link #contains},
 * {@link #read} and {@link #size} while one puts. A page put is visible to readers once {@code put} returns.
 */
public final class PageStore implements AutoCloseable {

    private static final int PAGE = PageHasher.PAGE_SIZE;
    private static final int SLAB_PAGES = 256;
    private static final long ZERO = Long.MIN_VALUE;
    private static final byte[] ZERO_BYTES = new byte[PAGE];

    private final Path spillFolder;
    private final int memorySlots;
    private final byte[][] slabs;
    private final HashIndex index = new HashIndex(1 << 14);
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Object writer = new Object();

    // written under the writer monitor, published through the write lock
    private int memoryUsed;
    private long spillUsed;
    private Path spillFile;
    private FileChannel spill;
    private boolean closed;

    /**
     * A store that keeps up to {@code memoryBudget} bytes of pages in memory (rounded down to whole pages; 0
     * spills everything) and spills the rest to a file in {@code spillFolder} (created if missing).
     */
    public PageStore(long memoryBudget, Path spillFolder) {
        if (memoryBudget < 0) {
            throw new IllegalArgumentException("a memory budget of " + memoryBudget + " bytes");
        }
        this.spillFolder = Objects.requireNonNull(spillFolder, "spillFolder");
        this.memorySlots = (int) Math.min(memoryBudget / PAGE, Integer.MAX_VALUE - SLAB_PAGES);
        this.slabs = new byte[(memorySlots + SLAB_PAGES - 1) / SLAB_PAGES][];
    }

    /** Stores {@code page} (exactly 4096 bytes) under {@code hash}; false if the store held it already. */
    public boolean put(PageHash hash, byte[] page) throws IOException {
        if (page.length != PAGE) {
            throw new IllegalArgumentException("a page is " + PAGE + " bytes, not " + page.length);
        }
        return put(hash, page, 0);
    }

    /**
     * Stores the 4096 bytes of {@code page} from {@code off} under {@code hash}, which the caller vouches for
     * (it is not recomputed); false if the store held that hash already (the page is then not read).
     */
    public boolean put(PageHash hash, byte[] page, int off) throws IOException {
        Objects.checkFromIndexSize(off, PAGE, page.length);
        synchronized (writer) {
            checkOpen();
            // only a writer changes the index, and this thread is the writer now: no lock needed to read it
            if (index.get(hash.hi(), hash.lo()) != 0) {
                return false;
            }
            long place;
            if (hash.equals(PageHash.ZERO_PAGE)) {
                place = ZERO;
            } else if (memoryUsed < memorySlots) {
                int slot = memoryUsed;
                byte[] slab = slabs[slot / SLAB_PAGES];
                if (slab == null) {
                    int pages = Math.min(SLAB_PAGES, memorySlots - slot);
                    slab = new byte[pages * PAGE];
                    slabs[slot / SLAB_PAGES] = slab;
                }
                System.arraycopy(page, off, slab, (slot % SLAB_PAGES) * PAGE, PAGE);
                memoryUsed = slot + 1;
                place = slot + 1L;
            } else {
                long slot = spillUsed;
                writeSpill(page, off, slot * PAGE);
                spillUsed = slot + 1;
                place = -(slot + 1);
            }
            lock.writeLock().lock();
            try {
                index.putIfAbsent(hash.hi(), hash.lo(), place);
            } finally {
                lock.writeLock().unlock();
            }
            return true;
        }
    }

    /** Whether the store holds a page with this hash. */
    public boolean contains(PageHash hash) {
        lock.readLock().lock();
        try {
            return index.get(hash.hi(), hash.lo()) != 0;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Copies the page with this hash into {@code into} (exactly 4096 bytes); false if the store lacks it. */
    public boolean read(PageHash hash, byte[] into) throws IOException {
        if (into.length != PAGE) {
            throw new IllegalArgumentException("a page is " + PAGE + " bytes, not " + into.length);
        }
        return read(hash, into, 0);
    }

    /** Copies the page with this hash into the 4096 bytes of {@code into} from {@code off}; false if absent. */
    public boolean read(PageHash hash, byte[] into, int off) throws IOException {
        return read(hash, ByteBuffer.wrap(into), off);
    }

    /**
     * Copies the page with this hash into the 4096 bytes of {@code into} from its index {@code at}, within its
     * limit (its position and limit stay); false if absent. Given the direct buffer the rebuild writes to its file,
     * the page is copied once, not into a byte array first and then again by the channel into a buffer of its own.
     */
    public boolean read(PageHash hash, ByteBuffer into, int at) throws IOException {
        Objects.checkFromIndexSize(at, PAGE, into.limit());
        long place;
        FileChannel channel;
        lock.readLock().lock();
        try {
            checkOpen();
            place = index.get(hash.hi(), hash.lo());
            if (place > 0) {
                long slot = place - 1;
                into.put(at, slabs[(int) (slot / SLAB_PAGES)], (int) (slot % SLAB_PAGES) * PAGE, PAGE);
                return true;
            }
            channel = spill;
        } finally {
            lock.readLock().unlock();
        }
        if (place == 0) {
            return false;
        }
        if (place == ZERO) {
            into.put(at, ZERO_BYTES, 0, PAGE);
            return true;
        }
        long position = (-place - 1) * PAGE;
        ByteBuffer page = into.slice(at, PAGE);
        while (page.hasRemaining()) {
            if (channel.read(page, position + page.position()) < 0) {
                throw new EOFException("the page spill file " + spillFile + " ends inside page " + hash);
            }
        }
        return true;
    }

    /** How many distinct pages the store holds. */
    public long size() {
        lock.readLock().lock();
        try {
            return index.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** How many pages are held in memory. */
    public long memoryPages() {
        lock.readLock().lock();
        try {
            return memoryUsed;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** How many pages are held in the spill file. */
    public long spilledPages() {
        lock.readLock().lock();
        try {
            return spillUsed;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The spill file, or null before the first page spilled. */
    public Path spillFile() {
        lock.readLock().lock();
        try {
            return spillFile;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Drops every page and deletes the spill file. Later calls fail; closing again does nothing. */
    @Override
    public void close() throws IOException {
        synchronized (writer) {
            lock.writeLock().lock();
            try {
                if (closed) {
                    return;
                }
                closed = true;
                Arrays.fill(slabs, null);
                if (spill != null) {
                    try {
                        spill.close();
                    } finally {
                        Files.deleteIfExists(spillFile);
                    }
                }
            } finally {
                lock.writeLock().unlock();
            }
        }
    }

    private void writeSpill(byte[] page, int off, long position) throws IOException {
        if (spill == null) {
            Files.createDirectories(spillFolder);
            // createTempFile makes it rw------- on POSIX: these are another process's memory
            Path file = Files.createTempFile(spillFolder, "pages-", ".spill");
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            lock.writeLock().lock();
            try {
                spillFile = file;
                spill = channel;
            } finally {
                lock.writeLock().unlock();
            }
        }
        ByteBuffer buffer = ByteBuffer.wrap(page, off, PAGE);
        while (buffer.hasRemaining()) {
            spill.write(buffer, position + buffer.position() - off);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the page store is closed");
        }
    }
}
