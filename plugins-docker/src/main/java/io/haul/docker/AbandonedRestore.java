package io.haul.docker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A container that a Haul restore made here and gave up without removing: its agent died while the restore was
 * held, and the restarted agent undid it. Such a container was never started, and holds a Haul checkpoint whose
 * hold is over. It would block the next migration of its name, so the docker backend removes it.
 */
final class AbandonedRestore {

    /** The file in a checkpoint that names its hold (CriuHold.RESTORE_MARKER of io.haul.criu.hold). */
    private static final String MARKER = "haul-hold";

    private AbandonedRestore() {
    }

    /** Whether {@code container}, whose own folder is {@code folder}, is such a leftover. */
    static boolean is(ContainerView container, Path folder) {
        if (!"created".equals(container.status())) {
            return false; // it ran: not a restore that never happened
        }
        try (Stream<Path> checkpoints = Files.list(folder.resolve("checkpoints"))) {
            for (Path checkpoint : checkpoints.filter(p -> p.getFileName().toString().startsWith("haul-")).toList()) {
                Path marker = checkpoint.resolve(MARKER);
                if (Files.isRegularFile(marker)) {
                    Path hold = Path.of(Files.readString(marker).strip());
                    return !Files.exists(hold.resolve("verdict")); // held no more
                }
            }
        } catch (IOException | RuntimeException e) {
            return false; // no checkpoints folder, or unreadable: not recognisably Haul's
        }
        return false;
    }
}
