package io.haul.docker;

import io.haul.criu.hold.CriuHold;
import io.haul.host.files.Folders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The copies of a checkpoint that containerd makes when Docker starts a container from it: containerd unpacks the
 * checkpoint into a temporary folder of its own ({@code ctrd-checkpoint*} in its temporary directory, /tmp unless
 * its environment names another) for runc to restore from, and never removes it (containerd issue 10166). Left
 * there, every move would leave a copy of the container's memory on the destination. The copies of a migration's
 * restore are the ones marked for its hold ({@link CriuHold#marksRestoreOf}).
 */
final class ContainerdCheckpointCopies {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerdCheckpointCopies.class);
    private static final String PREFIX = "ctrd-checkpoint";
    private static final Path DEFAULT_TEMP = Path.of("/tmp");

    private ContainerdCheckpointCopies() {
    }

    /**
     * Removes the copies made for this migration's restore, once the restore ended: those in containerd's usual
     * temporary directory and, when the hold told where CRIU restored from, in that one's.
     */
    static void removeFor(String migrationId, Optional<Path> restoredFrom) {
        Set<Path> candidates = copiesIn(DEFAULT_TEMP);
        restoredFrom.filter(ContainerdCheckpointCopies::named).ifPresent(c -> candidates.addAll(copiesIn(c.getParent())));
        for (Path copy : candidates) {
            if (CriuHold.marksRestoreOf(copy, migrationId) && Folders.delete(copy)) {
                LOG.debug("migration {}: removed containerd's copy of the checkpoint {}", migrationId, copy);
            }
        }
    }

    /**
     * Removes the copies whose restore is over (the hold they name gone), whichever migration made them: those a
     * restore left whose agent died while holding it (DecidedRestores).
     */
    static void removeOver() {
        for (Path copy : copiesIn(DEFAULT_TEMP)) {
            if (DecidedRestores.holdOver(copy) && Folders.delete(copy)) {
                LOG.info("removed containerd's copy {} of the checkpoint of a restore that is over", copy);
            }
        }
    }

    private static boolean named(Path folder) {
        return folder.getFileName() != null && folder.getFileName().toString().startsWith(PREFIX);
    }

    private static Set<Path> copiesIn(Path folder) {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(ContainerdCheckpointCopies::named).filter(Files::isDirectory)
                    .collect(Collectors.toCollection(LinkedHashSet::new));
        } catch (IOException e) {
            return new LinkedHashSet<>(); // no such folder: no copies there
        }
    }
}
