package io.haul.docker;

import io.haul.docker.engine.DockerEngine;
import io.haul.host.files.Folders;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a held restore leaves when the agent that ran it died, and its restarted agent let the copy run (recovery
 * gives the hold its verdict from the migration's record; the DockerDestination that would have removed them went
 * with the old agent): the Haul checkpoint in the running container's own folder, and containerd's unpacked copy of
 * it in its temporary directory (ContainerdCheckpointCopies). Both are the container's memory, and neither Docker nor
 * containerd ever removes them. Swept now and then: a checkpoint only in a running container and a copy only once
 * the hold it names is over (its folder gone: decided, or closed by the agent that held it); a container that never
 * started keeps its checkpoint, by which AbandonedRestore knows it.
 */
final class DecidedRestores {

    private static final Logger LOG = LoggerFactory.getLogger(DecidedRestores.class);
    /** The file in a checkpoint that names its hold (CriuHold.RESTORE_MARKER of io.haul.criu.hold). */
    private static final String MARKER = "haul-hold";

    private DecidedRestores() {
    }

    /** Removes what the restores of this engine that are over left; failures are logged, never thrown. */
    static void sweep(DockerEngine engine) {
        try {
            String root = engine.info().getString("DockerRootDir", "");
            if (root.isEmpty()) {
                return;
            }
            for (JsonObject container : engine.runningContainers()) {
                Path checkpoints = Path.of(root, "containers", container.getString("Id", ""), "checkpoints");
                for (Path checkpoint : overIn(checkpoints)) {
                    if (Folders.delete(checkpoint)) {
                        LOG.info("removed the checkpoint {} of a restore its restarted agent decided", checkpoint);
                    }
                }
            }
            ContainerdCheckpointCopies.removeOver();
        } catch (Exception e) {
            LOG.debug("the sweep of decided restores' checkpoints did not run: {}", e.getMessage());
        }
    }

    /** The Haul checkpoints in {@code folder} whose hold is over. */
    private static List<Path> overIn(Path folder) {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("haul-")).filter(DecidedRestores::holdOver)
                    .toList();
        } catch (IOException e) {
            return List.of(); // no checkpoints folder: nothing left there
        }
    }

    /** Whether {@code imageDir} is marked for a hold that no longer waits (its verdict FIFO gone with its folder). */
    static boolean holdOver(Path imageDir) {
        try {
            Path hold = Path.of(Files.readString(imageDir.resolve(MARKER)).strip());
            return !Files.exists(hold.resolve("verdict"));
        } catch (IOException | RuntimeException e) {
            return false; // no marker: not recognisably a Haul restore's
        }
    }
}
