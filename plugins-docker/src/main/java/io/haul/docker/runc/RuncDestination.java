package io.haul.docker.runc;

import io.haul.api.HaulException;
import io.haul.api.backend.ContainerManifest;
import io.haul.api.backend.HeldRestore;
import io.haul.api.backend.MigrationFolders;
import io.haul.api.backend.RuntimeDestinationSession;
import io.haul.api.criu.CriuOptions;
import io.haul.criu.hold.CriuHold;
import io.haul.criu.hold.HeldRuntimeStep;
import io.haul.criu.hold.RuntimeRestore;
import io.haul.docker.files.SharedFolder;
import io.haul.host.files.Folders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A runc container's migration on the destination: checks that its id and bundle folder are free and its
 * bind-mounted folders shared, makes its bundle again from what arrived, restores it with runc held at
 * post-restore, and removes both if the migration rolls back.
 */
final class RuncDestination implements RuntimeDestinationSession {

    private static final Logger LOG = LoggerFactory.getLogger(RuncDestination.class);

    private final RuncBackend backend;
    private final String id;
    private final ContainerManifest manifest;
    private final MigrationFolders folders;
    private final Path bundle;

    RuncDestination(RuncBackend backend, ContainerManifest manifest, MigrationFolders folders) throws HaulException {
        this.backend = backend;
        this.id = Runc.checkId(manifest.facts().get(RuncBackend.ID));
        this.manifest = manifest;
        this.folders = folders;
        this.bundle = backend.bundles().resolve(id);
    }

    @Override
    public void check() throws HaulException {
        if (backend.runc().state(id).isPresent()) {
            throw new HaulException("check.name", "a runc container '" + id + "' already exists in "
                    + backend.runc().root());
        }
        List<SharedFolder> shared;
        try {
            shared = SharedFolder.decode(manifest.facts().getOrDefault(RuncBackend.SHARED, "[]"));
        } catch (RuntimeException e) {
            throw new HaulException("check.manifest", "the source's runc manifest is malformed: " + e.getMessage());
        }
        for (SharedFolder folder : shared) {
            if (!folder.sameHere()) {
                throw new HaulException("check.bind-mount", "the bind mount source " + folder.path() + " of runc:" + id
                        + " is not on storage both hosts share (Haul moves the bundle, not bind-mounted host folders)");
            }
        }
        if (Files.exists(bundle)) {
            throw new HaulException("check.bundle", "the bundle folder " + bundle + " for runc:" + id
                    + " already exists here");
        }
    }

    @Override
    public HeldRestore restore(CriuOptions contributions) throws HaulException {
        Path images = folders.images();
        RuncBundle.unpack(images, bundle, id, backend.cgroupsParent());
        Path work = RuncBackend.workFolder(images, "runc-restore");
        long limit = backend.holdLimitSeconds() + RuncBackend.QUICK_SECONDS;
        CriuHold hold = CriuHold.forRestore(folders.migrationId(), images, Duration.ofSeconds(backend.holdLimitSeconds()));
        HeldRuntimeStep step = HeldRuntimeStep.begin(hold, backend.calls(), () -> {
            backend.runc().runLogged(List.of("restore", "--detach", "--image-path", images.toString(), "--work-path",
                    work.toString(), "--bundle", bundle.toString(), id), limit, work.resolve("runc.log"));
            return null;
        }, limit, "criu.restore-failed", "runc's restore of runc:" + id);
        return new RuntimeRestore(step, step.reached().initPid());
    }

    @Override
    public void abandoned() {
        try {
            if (backend.runc().state(id).isPresent()) {
                backend.runc().run(List.of("delete", "--force", id), RuncBackend.QUICK_SECONDS);
            }
        } catch (HaulException e) {
            LOG.warn("could not remove runc:{} made for a migration that rolled back: {}", id, e.getMessage());
        }
        if (!Folders.delete(bundle)) {
            LOG.warn("could not remove the bundle {} made for runc:{}", bundle, id);
        }
    }
}
