package io.haul.docker.runc;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.backend.ContainerBackend;
import io.haul.api.backend.ContainerInfo;
import io.haul.api.backend.DumpPlan.ContainerManifest;
import io.haul.api.backend.DumpPlan;
import io.haul.api.backend.HeldCheckpoint;
import io.haul.api.backend.HeldRestore;
import io.haul.api.backend.RestorePlan;
import io.haul.criu.CriuHold;
import io.haul.docker.files.SharedFolder;
import io.haul.docker.hold.HeldRuntimeStep;
import io.haul.docker.hold.HoldHook;
import io.haul.docker.hold.RuntimeCheckpoint;
import io.haul.docker.hold.RuntimeRestore;
import io.haul.host.files.Folders;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * where they are: they must be on storage both hosts share.
 *
 * <p>Immediate: a held checkpoint or restore outlives the engine's use of this service.
 */
@Component(service = ContainerBackend.class, configurationPid = RuncConfiguration.PID, immediate = true,
        property = ContainerBackend.NAME + "=" + RuncContainer.BACKEND)
@Designate(ocd = RuncConfiguration.class)
public final class RuncBackend implements ContainerBackend {

    private static final Logger LOG = LoggerFactory.getLogger(RuncBackend.class);
    private static final String ID = "runc.id";
    private static final String BUNDLE = "runc.bundle";
    private static final String SHARED = "runc.shared";
    private static final String SOURCE_BUNDLE = "runc.source-bundle";
    private static final long QUICK_SECONDS = 60;

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

    private RuncContainer container(String id) throws HaulException {
        return RuncContainer.of(runc.state(id).orElseThrow(() -> new HaulException("container.not-found",
                "no runc container '" + id + "' in " + runc.root())));
    }

    @Override
    public DumpPlan planDump(ContainerInfo info, Path imageDir) throws HaulException {
        RuncContainer container = container(info.ref().id());
        List<SharedFolder> shared = new ArrayList<>();
        for (String folder : container.sharedFolders()) {
            shared.add(SharedFolder.of(folder));
        }
        return new DumpPlan(container.pid(), List.of(), false, false, false, new ContainerManifest(RuncContainer.BACKEND,
                container.id(), Map.of(ID, container.id(), SOURCE_BUNDLE, container.bundle(), SHARED, SharedFolder.encode(shared))));
    }

    @Override
    public void checkRestore(ContainerManifest manifest) throws HaulException {
        String id = Runc.checkId(manifest.facts().get(ID));
        if (runc.state(id).isPresent()) {
            throw new HaulException("check.name", "a runc container '" + id + "' already exists in " + runc.root());
        }
        List<SharedFolder> shared;
        try {
            shared = SharedFolder.decode(manifest.facts().getOrDefault(SHARED, "[]"));
        } catch (RuntimeException e) {
            throw new HaulException("check.manifest", "the source's runc manifest is malformed: " + e.getMessage());
        }
        for (SharedFolder folder : shared) {
            if (!folder.sameHere()) {
                throw new HaulException("check.bind-mount", "the bind mount source " + folder.path() + " of runc:" + id
                        + " is not on storage both hosts share (Haul moves the bundle, not bind-mounted host folders)");
            }
        }
        if (Files.exists(bundles.resolve(id))) {
            throw new HaulException("check.bundle", "the bundle folder " + bundles.resolve(id) + " for runc:" + id
                    + " already exists here");
        }
    }

    @Override
    public boolean filesAhead(ContainerInfo info, Path aheadDir) throws HaulException {
        RuncBundle.packAhead(container(info.ref().id()), aheadDir);
        return true;
    }

    @Override
    public Optional<HeldCheckpoint> checkpoint(ContainerInfo info, DumpPlan plan, Path imageDir, Path aheadDir)
            throws HaulException {
        RuncContainer container = container(info.ref().id());
        if (container.pid() != plan.rootPid()) {
            throw new HaulException("container.changed", info.ref() + " restarted since the migration began");
        }
        Path work = workFolder(imageDir, "runc-checkpoint");
        CriuHold hold = CriuHold.forDump(container.pid(), Duration.ofSeconds(holdLimitSeconds));
        Instant start = Instant.now();
        HeldRuntimeStep step = HeldRuntimeStep.begin(hold, calls, () -> {
            runc.runLogged(List.of("checkpoint", "--image-path", imageDir.toString(), "--work-path", work.toString(),
                    container.id()), holdLimitSeconds + QUICK_SECONDS, work.resolve("runc.log"));
            return null;
        }, holdLimitSeconds + QUICK_SECONDS, "criu.dump-failed", "runc's checkpoint of " + info.ref());
        try {
            Duration frozenFor = Duration.between(start, Instant.now());
            RuncBundle.pack(container, imageDir, aheadDir);
            return Optional.of(new RuntimeCheckpoint(step, frozenFor));
        } catch (HaulException | RuntimeException e) {
            step.undo();
            throw e;
        }
    }

    @Override
    public void sourceCommitted(ContainerInfo info) {
        try {
            runc.run(List.of("delete", "--force", Runc.checkId(info.ref().id())), QUICK_SECONDS);
            LOG.info("{} moved; its bundle {} stays here", info.ref(), info.details().get("bundle"));
        } catch (HaulException e) {
            LOG.warn("{} moved, but runc could not forget its copy here: {}", info.ref(), e.getMessage());
        }
    }

    @Override
    public RestorePlan planRestore(ContainerManifest manifest, Path imageDir) throws HaulException {
        String id = Runc.checkId(manifest.facts().get(ID));
        return new RestorePlan(List.of(), Map.of(), "", Map.of(ID, id, BUNDLE, bundles.resolve(id).toString()));
    }

    @Override
    public Optional<HeldRestore> restore(String migrationId, RestorePlan plan, Path imageDir) throws HaulException {
        String id = Runc.checkId(plan.facts().get(ID));
        RuncBundle.unpack(imageDir, Path.of(plan.facts().get(BUNDLE)), id, cgroupsParent);
        Path work = workFolder(imageDir, "runc-restore");
        CriuHold hold = CriuHold.forRestore(migrationId, imageDir, Duration.ofSeconds(holdLimitSeconds));
        HeldRuntimeStep step = HeldRuntimeStep.begin(hold, calls, () -> {
            runc.runLogged(List.of("restore", "--detach", "--image-path", imageDir.toString(), "--work-path",
                    work.toString(), "--bundle", plan.facts().get(BUNDLE), id), holdLimitSeconds + QUICK_SECONDS,
                    work.resolve("runc.log"));
            return null;
        }, holdLimitSeconds + QUICK_SECONDS, "criu.restore-failed", "runc's restore of runc:" + id);
        return Optional.of(new RuntimeRestore(step, step.reached().initPid()));
    }

    @Override
    public void restoreAbandoned(RestorePlan plan) {
        String id = plan.facts().get(ID);
        try {
            if (runc.state(Runc.checkId(id)).isPresent()) {
                runc.run(List.of("delete", "--force", id), QUICK_SECONDS);
            }
        } catch (HaulException e) {
            LOG.warn("could not remove runc:{} made for a migration that rolled back: {}", id, e.getMessage());
        }
        Path bundle = Path.of(plan.facts().get(BUNDLE));
        if (!Folders.delete(bundle)) {
            LOG.warn("could not remove the bundle {} made for runc:{}", bundle, id);
        }
    }

    /** runc's work folder (CRIU's log among its files) beside the images, so it is kept with the migration's logs. */
    private static Path workFolder(Path imageDir, String name) throws HaulException {
        Path work = imageDir.toAbsolutePath().getParent().resolve("logs").resolve(name);
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new HaulException("runc.work", "cannot make " + work + ": " + e.getMessage());
        }
        return work;
    }
}
