package io.haul.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether a folder has room for a migration's images, checked on both sides before anything freezes. */
final class Room {

    /** Room kept free beyond the images, for logs and the file system's own needs. */
    static final long SPARE_BYTES = 64L << 20;

    private Room() {
    }

    /** Refuses when {@code folder} on {@code host} (for the message) lacks room for images of that size. */
    static void check(String host, long expectedBytes, Path folder) throws MigrationFailure {
        long free = freeBytes(folder);
        long needed = expectedBytes + expectedBytes / 10 + SPARE_BYTES;
        if (free < needed) {
            throw new MigrationFailure("check.room", host + " has " + (free >> 20) + " MiB free in " + folder
                    + " but the images need about " + (needed >> 20) + " MiB");
        }
    }

    static long freeBytes(Path folder) {
        try {
            Files.createDirectories(folder);
            return Files.getFileStore(folder).getUsableSpace();
        } catch (IOException e) {
            return 0;
        }
    }
}
