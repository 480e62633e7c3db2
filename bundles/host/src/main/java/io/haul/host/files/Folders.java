package io.haul.host.files;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Removes folders Haul made (images, holds, scratch, a container's moved files): whole, quietly, without
 * following symbolic links and without descending into another file system mounted inside (as
 * {@code rm -rf --one-file-system}): a container's root may have the host's folders bind-mounted in it.
 */
public final class Folders {

    private Folders() {
    }

    /** Removes {@code path} and what it holds; returns whether nothing of it is left. */
    public static boolean delete(Path path) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        try {
            Object device = Files.getAttribute(path, "unix:dev", LinkOption.NOFOLLOW_LINKS);
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                    return device.equals(Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS))
                            ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE; // a mount point: stays
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    file.toFile().delete();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // gone meanwhile, or unreadable: what is left is reported
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                    dir.toFile().delete();
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // what is left is reported below
        }
        return !Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }
}
