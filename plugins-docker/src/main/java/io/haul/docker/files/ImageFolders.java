package io.haul.docker.files;

import io.haul.api.HaulException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** CRIU image files moved between the runtime's folders and the migration's, linked where one file system allows. */
public final class ImageFolders {

    private ImageFolders() {
    }

    /** Puts every plain file of {@code from} accepted by {@code which} into {@code to} (created if missing). */
    public static void place(Path from, Path to, Predicate<String> which) throws HaulException {
        try {
            Files.createDirectories(to);
            List<Path> files;
            try (Stream<Path> list = Files.list(from)) {
                files = list.filter(Files::isRegularFile).filter(p -> which.test(p.getFileName().toString())).toList();
            }
            for (Path file : files) {
                Path target = to.resolve(file.getFileName().toString());
                Files.deleteIfExists(target);
                try {
                    Files.createLink(target, file); // no copy of gigabytes of pages while the tasks are frozen
                } catch (IOException | UnsupportedOperationException e) {
                    Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (IOException e) {
            throw new HaulException("images.place", "cannot put the images of " + from + " into " + to + ": "
                    + e.getMessage());
        }
    }
}
