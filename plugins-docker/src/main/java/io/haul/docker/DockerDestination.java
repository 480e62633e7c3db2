package io.haul.docker;

import io.haul.api.HaulException;
import io.haul.api.backend.HeldRestore;
import io.haul.api.backend.MigrationFolders;
import io.haul.api.backend.RuntimeDestinationSession;
import io.haul.api.criu.CriuOptions;
import io.haul.criu.hold.CriuHold;
import io.haul.criu.hold.HeldRuntimeStep;
import io.haul.criu.hold.RuntimeCalls;
import io.haul.criu.hold.RuntimeRestore;
import io.haul.docker.files.ImageFolders;
import io.haul.docker.files.SharedFolder;
import io.haul.host.files.TreeCopy;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Docker container's migration on the destination: checks that the engine can take it, makes it again (its
 * volumes first) once the images arrived, restores it from Haul's checkpoint held at post-restore, and removes
 * what it made if the migration rolls back.
 */
final class DockerDestination implements RuntimeDestinationSession {

    private static final Logger LOG = LoggerFactory.getLogger(DockerDestination.class);

    private final DockerBackend backend;
    private final DockerManifest manifest;
    private final MigrationFolders folders;
    private final List<String> volumesMade = new ArrayList<>();
    private final String checkpointName = "haul-" + Long.toString(System.currentTimeMillis(), 36);
    /** The container made here, once made. */
    private String containerId;

    DockerDestination(DockerBackend backend, DockerManifest manifest, MigrationFolders folders) {
        this.backend = backend;
        this.manifest = manifest;
        this.folders = folders;
    }

    @Override
    public void check() throws HaulException {
        var engine = backend.engine();
        if (RuntimeCalls.call("docker.engine", () -> engine.inspectImage(manifest.imageId())).isEmpty()) {
            throw new HaulException("check.image", "the image " + manifest.image() + " (" + manifest.imageId()
                    + ") is not in the Docker engine here: load it first (docker save on the source, docker load here)");
        }
        Optional<JsonObject> existing = RuntimeCalls.call("docker.engine", () -> engine.inspectContainer(manifest.name()));
        if (existing.isPresent()) {
            ContainerView there = new ContainerView(existing.get());
            if (!AbandonedRestore.is(there, backend.containerFolder(there))) {
                throw new HaulException("check.name", "a container named '" + manifest.name() + "' already exists here");
            }
            backend.removeAbandoned(there);
        }
        for (String volume : manifest.volumes()) {
            if (RuntimeCalls.call("docker.engine", () -> engine.inspectVolume(volume)).isPresent()) {
                throw new HaulException("check.volume", "a volume named '" + volume + "' already exists here;"
                        + " Haul does not merge volumes");
            }
        }
        for (SharedFolder bind : manifest.binds()) {
            if (!bind.sameHere()) {
                throw new HaulException("check.bind-mount", "the bind mount source " + bind.path() + " is not on"
                        + " storage both hosts share (Haul moves volumes, not bind-mounted host folders)");
            }
        }
    }

    @Override
    public void prepare() throws HaulException {
        var engine = backend.engine();
        for (String volume : manifest.volumes()) {
            RuntimeCalls.call("docker.volume", () -> engine.createVolume(volume,
                    Map.of(DockerBackend.MOVED_LABEL, "true")));
            volumesMade.add(volume);
        }
        containerId = RuntimeCalls.call("docker.create", () -> engine.createContainer(manifest.name(), manifest.create()));
    }

    @Override
    public HeldRestore restore(CriuOptions contributions) throws HaulException {
        Path images = folders.images();
        ContainerView created = backend.view(containerId);
        TreeCopy.unpack(DockerBackend.LAYER, images, Path.of(created.upperDir()));
        for (String volume : created.volumes()) {
            if (TreeCopy.received(DockerBackend.VOLUME + volume, images)) {
                TreeCopy.unpack(DockerBackend.VOLUME + volume, images, backend.volumeFolder(volume));
            }
        }
        // Docker only starts from checkpoints in the container's own folder (it refuses --checkpoint-dir)
        Path checkpoint = backend.containerFolder(created).resolve("checkpoints").resolve(checkpointName);
        ImageFolders.place(images, checkpoint, name -> !name.startsWith("haul-"));
        long limit = backend.holdLimitSeconds();
        CriuHold hold = CriuHold.forRestore(folders.migrationId(), checkpoint, Duration.ofSeconds(limit));
        HeldRuntimeStep step = HeldRuntimeStep.begin(hold, backend.calls(),
                () -> { backend.engine().startContainer(containerId, checkpointName); return null; },
                limit, "criu.restore-failed", "Docker's restore of " + created.name());
        return new RuntimeRestore(step, step.reached().initPid());
    }

    @Override
    public void abandoned() {
        if (containerId != null) {
            try {
                RuntimeCalls.call("docker.engine", () -> {
                    backend.engine().removeContainer(containerId, true, false);
                    return null;
                });
            } catch (HaulException e) {
                LOG.warn("could not remove the container {} made for a migration that rolled back: {}", containerId,
                        e.getMessage());
            }
        }
        backend.removeVolumes(volumesMade);
    }
}
