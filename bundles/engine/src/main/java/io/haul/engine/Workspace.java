package io.haul.engine;

import io.haul.api.backend.MigrationFolders;
import io.haul.host.files.Folders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A migration's folder on one agent ({@code <state>/migrations/<id>}): CRIU's images, its logs (kept after
 * cleanup: a failed step's log is named in the error) and the local facts recovery needs.
 */
final class Workspace {

    private final Path root;

    Workspace(Path migrations, String id) {
        this.root = migrations.resolve(id);
    }

    Workspace create() throws IOException {
        Files.createDirectories(images());
        Files.createDirectories(logs());
        return this;
    }

    Path root() {
        return root;
    }

    Path images() {
        return root.resolve("images");
    }

    /** The source's files sent ahead of the freeze (and what the backend keeps to send only changes later). */
    Path ahead() {
        return root.resolve("ahead");
    }

    /** The source's page recipes, made while CRIU dumps (see PageImageCapture) and sent with the images. */
    Path recipes() {
        return root.resolve("recipes");
    }

    /** What a backend's session is told of this migration's folder. */
    MigrationFolders folders() {
        return new MigrationFolders(root.getFileName().toString(), images(), ahead(), logs());
    }

    Path logs() {
        return root.resolve("logs");
    }

    Path log(String step) {
        return logs().resolve(step + ".log");
    }

    /** A fact recovery needs after a crash (e.g. the restored tree's pid), written before it matters. */
    void remember(String fact, String value) throws IOException {
        Path file = root.resolve(fact);
        Path temporary = root.resolve(fact + ".tmp");
        Files.writeString(temporary, value);
        Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    String recall(String fact) {
        try {
            return Files.readString(root.resolve(fact)).strip();
        } catch (IOException e) {
            return "";
        }
    }

    List<String> imageNames() throws IOException {
        return fileNames(images());
    }

    /** The plain files directly in {@code folder}, sorted (subfolders are not sent). */
    static List<String> fileNames(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    long imageBytes() throws IOException {
        return bytes(images(), imageNames());
    }

    /** What the named files of {@code folder} hold together. */
    static long bytes(Path folder, List<String> names) throws IOException {
        long total = 0;
        for (String name : names) {
            total += Files.size(folder.resolve(name));
        }
        return total;
    }

    /** Removes the images and what was made to send them; the logs stay for people to read. */
    void dropImages() {
        Folders.delete(images());
        Folders.delete(ahead());
        Folders.delete(recipes());
    }
}
