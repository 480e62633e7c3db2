package io.haul.criu.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The CRIU driver's own scratch folders (holds, lazy-pages links): removed whole, quietly. */
public final class Folders {

    private Folders() {
    }

    /** Removes {@code path} and what it holds; returns whether nothing of it is left. */
    public static boolean deleteTree(Path path) {
        if (!Files.exists(path)) {
            return true;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // what is left is reported below
        }
        return !Files.exists(path);
    }
}
