package io.haul.pages;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The page store the fuzzed readers put pages into, kept from one input to the next (a fresh one per input
 * would cost its 400 KiB index each time) and replaced by a fresh one once it has taken {@link #REPLACE_AFTER}
 * pages, so that references to the pool's unheld pages keep failing. Past {@link #MEMORY_PAGES} it spills, so
 * the spill path is fuzzed too. One thread only.
 */
final class ReusedStore {

    static final int MEMORY_PAGES = 24;
    static final int REPLACE_AFTER = 64;

    private final Path folder;
    private PageStore store;

    ReusedStore(String name) {
        try {
            folder = Files.createTempDirectory("haul-fuzz-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // the last store is never replaced: its spill file and the folder go when the JVM does
        Runtime.getRuntime().addShutdownHook(new Thread(this::remove, "haul-fuzz-" + name + "-cleanup"));
    }

    /** The scratch folder the store spills into, also the place for the reader's files. */
    Path folder() {
        return folder;
    }

    private synchronized void remove() {
        try {
            if (store != null) {
                store.close();
            }
            try (java.util.stream.Stream<Path> files = Files.walk(folder)) {
                for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("cannot remove " + folder + ": " + e);
        }
    }

    /** The store for the next input. */
    synchronized PageStore store() throws IOException {
        if (store == null || store.size() > PagePool.HELD + REPLACE_AFTER) {
            if (store != null) {
                store.close();
            }
            store = PagePool.freshStore(MEMORY_PAGES, folder.resolve("spill"));
        }
        return store;
    }
}
