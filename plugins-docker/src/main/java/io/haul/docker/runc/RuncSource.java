package io.haul.docker.runc;

import io.haul.api.HaulException;
import io.haul.api.backend.ContainerManifest;
import io.haul.api.backend.FileSync;
import io.haul.api.backend.HeldCheckpoint;
import io.haul.api.backend.MigrationFolders;
import io.haul.api.backend.RuntimeSourceSession;
import io.haul.api.backend.SourcePlan;
import io.haul.api.criu.CriuOptions;
import io.haul.criu.hold.CriuHold;
import io.haul.criu.hold.HeldRuntimeStep;
import io.haul.criu.hold.RuntimeCheckpoint;
import io.haul.docker.files.SharedFolder;
import io.haul.host.files.TreeSync;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A runc container's migration on the source: runc's checkpoint, held at post-dump; its root file system sent
 * ahead in rounds and its configuration with the images; after the commit point runc forgets it (its bundle
 * stays).
 */
final class RuncSource implements RuntimeSourceSession {

    private static final Logger LOG = LoggerFactory.getLogger(RuncSource.class);

    private final RuncBackend backend;
    private final String id;
    private final MigrationFolders folders;
    /** The container as the checks saw it: the checkpoint must find the same process. */
    private RuncContainer checked;

    RuncSource(RuncBackend backend, String id, MigrationFolders folders) {
        this.backend = backend;
        this.id = id;
        this.folders = folders;
    }

    @Override
    public SourcePlan check() throws HaulException {
        RuncContainer container = backend.container(id);
        List<SharedFolder> shared = new ArrayList<>();
        for (String folder : container.sharedFolders()) {
            shared.add(SharedFolder.of(folder));
        }
        checked = container;
        return new SourcePlan(container.info(), new ContainerManifest(RuncContainer.BACKEND, container.id(),
                Map.of(RuncBackend.ID, container.id(), RuncBackend.SOURCE_BUNDLE, container.bundle(),
                        RuncBackend.SHARED, SharedFolder.encode(shared))));
    }

    @Override
    public Optional<FileSync> files() {
        return Optional.of(new TreeSync(List.of(RuncBundle.rootfs(checked)), folders.filesAhead().resolve("state")));
    }

    @Override
    public HeldCheckpoint checkpoint(CriuOptions contributions) throws HaulException {
        RuncContainer container = backend.container(id);
        if (container.pid() != checked.pid()) {
            throw new HaulException("container.changed", "runc:" + id + " restarted since the migration began");
        }
        Path images = folders.images();
        Path work = RuncBackend.workFolder(images, "runc-checkpoint");
        long limit = backend.holdLimitSeconds() + RuncBackend.QUICK_SECONDS;
        CriuHold hold = CriuHold.forDump(container.pid(), Duration.ofSeconds(backend.holdLimitSeconds()));
        Instant start = Instant.now();
        HeldRuntimeStep step = HeldRuntimeStep.begin(hold, backend.calls(), () -> {
            backend.runc().runLogged(List.of("checkpoint", "--image-path", images.toString(), "--work-path",
                    work.toString(), container.id()), limit, work.resolve("runc.log"));
            return null;
        }, limit, "criu.dump-failed", "runc's checkpoint of runc:" + id);
        try {
            Duration frozenFor = Duration.between(start, Instant.now());
            RuncBundle.packConfig(container, images);
            return new RuntimeCheckpoint(step, frozenFor);
        } catch (HaulException | RuntimeException e) {
            step.undo();
            throw e;
        }
    }

    @Override
    public void committed() {
        try {
            backend.movedAway(id);
            LOG.info("runc:{} moved; its bundle {} stays here", id, checked.bundle());
        } catch (HaulException e) {
            LOG.warn("runc:{} moved, but runc could not forget its copy here: {}", id, e.getMessage());
        }
    }
}
