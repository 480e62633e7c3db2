package io.haul.docker.runc;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.backend.ContainerBackend;
import io.haul.api.backend.ContainerInfo;
import io.haul.api.backend.ContainerManifest;
import io.haul.api.backend.DestinationSession;
import io.haul.api.backend.HaulBackend;
import io.haul.api.backend.MigrationFolders;
import io.haul.api.backend.SourceSession;
import io.haul.criu.hold.HoldHook;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code runc} backend: OCI containers run by runc directly, named by their id ({@code runc:web}), found in
 * runc's state root. runc takes the checkpoint and does the restore (the same id, on the other host's root); Haul
 * holds both at the commit point with the CRIU hook and moves the images and the bundle (its configuration and
 * root file system), which the destination makes again in its bundles folder. Bind-mounted host folders stay
 * where they are: they must be on storage both hosts share ({@link RuncSource}, {@link RuncDestination}).
 */
@Component(service = ContainerBackend.class, configurationPid = RuncConfiguration.PID)
@HaulBackend(RuncContainer.BACKEND)
@Designate(ocd = RuncConfiguration.class)
public final class RuncBackend implements ContainerBackend {

    private static final Logger LOG = LoggerFactory.getLogger(RuncBackend.class);
    /** Manifest facts: the container's id, its bundle on the source, and the bind-mounted folders it shares. */
    static final String ID = "runc.id";
    static final String SHARED = "runc.shared";
    static final String SOURCE_BUNDLE = "runc.source-bundle";
    /** How long a runc call that holds nothing may take. */
    static final long QUICK_SECONDS = 60;

    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    private volatile Runc runc;
    private volatile Path bundles;
    private volatile String cgroupsParent;
    private volatile long holdLimitSeconds;

    @Activate
    public RuncBackend(RuncConfiguration config) {
        configure(config);
    }

    @Modified
    void configure(RuncConfiguration config) {
        runc = new Runc(config.runc(), Path.of(config.root()), config.criuDir());
        bundles = Path.of(config.bundles());
        cgroupsParent = config.cgroupsParent();
        holdLimitSeconds = Math.max(10, config.holdLimitSeconds());
        LOG.info("runc backend: runc '{}' with root {}, moved containers' bundles in {}{}", config.runc(), config.root(),
                bundles, cgroupsParent.isBlank() ? "" : ", their cgroups under " + cgroupsParent);
    }

    @Deactivate
    void stop() {
        calls.shutdownNow();
    }

    @Override
    public Usability usability() {
        try {
            runc.version();
        } catch (HaulException e) {
            return Usability.no(e.getMessage());
        }
        return HoldHook.check();
    }

    @Override
    public List<ContainerInfo> list() throws HaulException {
        List<ContainerInfo> found = new ArrayList<>();
        for (JsonObject summary : runc.list()) {
            runc.state(summary.getString("id")).ifPresent(state -> found.add(RuncContainer.of(state).info()));
        }
        return found;
    }

    @Override
    public ContainerInfo inspect(String id) throws HaulException {
        return container(id).info();
    }

    @Override
    public SourceSession openSource(ContainerInfo container, MigrationFolders folders) {
        return new RuncSource(this, container.ref().id(), folders);
    }

    @Override
    public DestinationSession openDestination(ContainerManifest manifest, MigrationFolders folders)
            throws HaulException {
        return new RuncDestination(this, manifest, folders);
    }

    RuncContainer container(String id) throws HaulException {
        return RuncContainer.of(runc.state(id).orElseThrow(() -> new HaulException("container.not-found",
                "no runc container '" + id + "' in " + runc.root())));
    }

    /** runc forgets the copy of a container that moved away; its bundle stays. */
    @Override
    public void movedAway(String id) throws HaulException {
        runc.run(List.of("delete", "--force", Runc.checkId(id)), QUICK_SECONDS);
    }

    Runc runc() {
        return runc;
    }

    Path bundles() {
        return bundles;
    }

    String cgroupsParent() {
        return cgroupsParent;
    }

    long holdLimitSeconds() {
        return holdLimitSeconds;
    }

    Executor calls() {
        return calls;
    }

    /** runc's work folder (CRIU's log among its files) beside the images, so it is kept with the migration's logs. */
    static Path workFolder(Path imageDir, String name) throws HaulException {
        Path work = imageDir.toAbsolutePath().getParent().resolve("logs").resolve(name);
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new HaulException("runc.work", "cannot make " + work + ": " + e.getMessage());
        }
        return work;
    }
}
