package io.haul.docker;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.backend.ContainerBackend;
import io.haul.api.backend.ContainerInfo;
import io.haul.api.backend.DumpPlan;
import io.haul.api.backend.DumpPlan.ContainerManifest;
import io.haul.api.backend.HeldCheckpoint;
import io.haul.api.backend.HeldRestore;
import io.haul.api.backend.RestorePlan;
import io.haul.docker.engine.DockerEngine;
import io.haul.docker.files.ImageFolders;
import io.haul.docker.files.SharedFolder;
import io.haul.docker.files.TreeCopy;
import io.haul.criu.CriuHold;
import io.haul.docker.hold.HeldRuntimeStep;
import io.haul.docker.hold.HoldHook;
import io.haul.docker.hold.RuntimeCalls;
import io.haul.docker.hold.RuntimeCheckpoint;
import io.haul.docker.hold.RuntimeRestore;
import io.vertx.core.json.JsonObject;
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
 * The {@code docker} backend: containers of this host's Docker engine, named by name or ID
 * ({@code docker:web}). Docker (through containerd and runc) takes the checkpoint and does the restore, so
 * the container stays Docker's on both hosts; Haul holds both at the commit point with the CRIU hook, moves the
 * images, the writable layer and the named volumes, and makes the container again on the destination with the
 * same name, image, command, environment, labels and mounts.
 *
 * <p>Immediate: a held checkpoint or restore outlives the engine's use of this service, and a delayed component
 * would be deactivated (its calls interrupted) as soon as that use ends.
 */
@Component(service = ContainerBackend.class, configurationPid = DockerConfiguration.PID, immediate = true,
        property = ContainerBackend.NAME + "=" + ContainerView.BACKEND)
@Designate(ocd = DockerConfiguration.class)
public final class DockerBackend implements ContainerBackend {

    private static final Logger LOG = LoggerFactory.getLogger(DockerBackend.class);
    private static final String CONTAINER_ID = "docker.id";
    private static final String CHECKPOINT_NAME = "docker.checkpoint";
    private static final String VOLUMES_MADE = "docker.volumes-made";
    /** The label of the volumes Haul made on a destination. */
    private static final String MOVED_LABEL = "io.haul.moved";
    /** The names the container's own files travel under. */
    private static final String LAYER = "layer";
    private static final String VOLUME = "volume-";

    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    private volatile DockerEngine engine;
    private volatile Path socket;
    private volatile long holdLimitSeconds;

    @Activate
    public DockerBackend(DockerConfiguration config) {
        configure(config);
    }

    @Modified
    void configure(DockerConfiguration config) {
        DockerEngine previous = engine;
        socket = Path.of(config.socket());
        engine = new DockerEngine(socket);
        holdLimitSeconds = Math.max(10, config.holdLimitSeconds());
        if (previous != null) {
            previous.close();
        }
        LOG.info("docker backend: the Docker engine at {}", socket);
    }

    @Deactivate
    void stop() {
        calls.shutdownNow();
        engine.close();
    }

    @Override
    public Usability usability() {
        JsonObject info;
        try {
            info = engine.info();
        } catch (Exception e) {
            return Usability.no(e.getMessage()); // names the socket and what went wrong
        }
        if (!info.getBoolean("ExperimentalBuild", false)) {
            return Usability.no("the Docker engine at " + socket + " runs without --experimental, and its checkpoints"
                    + " need it (dockerd --experimental, or \"experimental\": true in daemon.json)");
        }
        if (!"overlay2".equals(info.getString("Driver", ""))) {
            return Usability.no("the Docker engine at " + socket + " stores containers with '" + info.getString("Driver")
                    + "'; the docker backend moves overlay2 layers only");
        }
        return HoldHook.check();
    }

    @Override
    public List<ContainerInfo> list() throws HaulException {
        List<ContainerInfo> found = new ArrayList<>();
        for (JsonObject summary : RuntimeCalls.call("docker.engine", () -> engine.runningContainers())) {
            Optional<JsonObject> inspect = RuntimeCalls.call("docker.engine",
                    () -> engine.inspectContainer(summary.getString("Id")));
            inspect.ifPresent(i -> found.add(new ContainerView(i).info()));
        }
        return found;
    }

    @Override
    public ContainerInfo inspect(String id) throws HaulException {
        return view(id).info();
    }

    private ContainerView view(String id) throws HaulException {
        return new ContainerView(RuntimeCalls.call("docker.engine", () -> engine.inspectContainer(id)).orElseThrow(() ->
                new HaulException("container.not-found", "no Docker container named '" + id + "' on this host ("
                        + socket + ")")));
    }

    @Override
    public DumpPlan planDump(ContainerInfo container, Path imageDir) throws HaulException {
        ContainerView view = view(container.ref().id());
        List<SharedFolder> binds = new ArrayList<>();
        for (String source : view.bindSources()) {
            binds.add(SharedFolder.of(source));
        }
        DockerManifest manifest = new DockerManifest(view.name(), view.imageName(), view.imageId(),
                DockerManifest.createRequest(view), view.volumes(), binds);
        return new DumpPlan(view.pid(), List.of(), false, false, false,
                new ContainerManifest(ContainerView.BACKEND, view.name(), manifest.facts()));
    }

    @Override
    public void checkRestore(ContainerManifest received) throws HaulException {
        DockerManifest manifest = DockerManifest.of(received.facts());
        if (RuntimeCalls.call("docker.engine", () -> engine.inspectImage(manifest.imageId())).isEmpty()) {
            throw new HaulException("check.image", "the image " + manifest.image() + " (" + manifest.imageId()
                    + ") is not in the Docker engine here: load it first (docker save on the source, docker load here)");
        }
        Optional<JsonObject> existing = RuntimeCalls.call("docker.engine", () -> engine.inspectContainer(manifest.name()));
        if (existing.isPresent()) {
            ContainerView there = new ContainerView(existing.get());
            if (!AbandonedRestore.is(there, containerFolder(there))) {
                throw new HaulException("check.name", "a container named '" + manifest.name() + "' already exists here");
            }
            removeAbandoned(there);
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

    /** The container's own files that move with it: its writable layer and its named volumes. */
    private List<TreeCopy> ownFiles(ContainerView view) throws HaulException {
        List<TreeCopy> trees = new ArrayList<>(List.of(new TreeCopy(LAYER, Path.of(view.upperDir()))));
        for (String volume : view.volumes()) {
            trees.add(new TreeCopy(VOLUME + volume, volumeFolder(volume)));
        }
        return trees;
    }

    private Path volumeFolder(String volume) throws HaulException {
        JsonObject inspect = RuntimeCalls.call("docker.engine", () -> engine.inspectVolume(volume)).orElseThrow(
                () -> new HaulException("docker.volume", "volume '" + volume + "' went away"));
        return Path.of(inspect.getString("Mountpoint"));
    }

    @Override
    public boolean filesAhead(ContainerInfo container, Path aheadDir) throws HaulException {
        for (TreeCopy tree : ownFiles(view(container.ref().id()))) {
            tree.packAhead(aheadDir);
        }
        return true;
    }

    @Override
    public Optional<HeldCheckpoint> checkpoint(ContainerInfo container, DumpPlan plan, Path imageDir, Path aheadDir)
            throws HaulException {
        ContainerView view = view(container.ref().id());
        if (view.pid() != plan.rootPid()) {
            throw new HaulException("container.changed", container.ref() + " restarted since the migration began");
        }
        CriuHold hold = CriuHold.forDump(view.pid(), Duration.ofSeconds(holdLimitSeconds));
        String checkpointName = "haul-" + Long.toString(System.currentTimeMillis(), 36);
        Instant start = Instant.now();
        HeldRuntimeStep step = HeldRuntimeStep.begin(hold, calls,
                () -> { engine.createCheckpoint(view.id(), checkpointName, null, true); return null; },
                holdLimitSeconds, "criu.dump-failed", "Docker's checkpoint of " + container.ref());
        try {
            Duration frozenFor = Duration.between(start, Instant.now());
            ImageFolders.place(step.reached().imageDir(), imageDir, name -> true);
            for (TreeCopy tree : ownFiles(view)) {
                tree.packFinal(imageDir, aheadDir); // only what changed since the copy sent ahead
            }
            return Optional.of(new RuntimeCheckpoint(step, frozenFor));
        } catch (HaulException | RuntimeException e) {
            step.undo(); // the container runs on as it was
            throw e;
        }
    }

    @Override
    public void sourceCommitted(ContainerInfo container) {
        try {
            ContainerView view = view(container.ref().id());
            RuntimeCalls.call("docker.engine", () -> { engine.removeContainer(view.id(), true, false); return null; });
            if (!view.volumes().isEmpty()) {
                LOG.info("{} moved; its volumes {} stay in this Docker engine too", container.ref(), view.volumes());
            }
        } catch (HaulException e) {
            LOG.warn("{} moved, but its stopped copy here could not be removed: {}", container.ref(), e.getMessage());
        }
    }

    @Override
    public RestorePlan planRestore(ContainerManifest received, Path imageDir) throws HaulException {
        DockerManifest manifest = DockerManifest.of(received.facts());
        List<String> made = new ArrayList<>();
        try {
            for (String volume : manifest.volumes()) {
                RuntimeCalls.call("docker.volume", () -> engine.createVolume(volume, Map.of(MOVED_LABEL, "true")));
                made.add(volume);
            }
            String id = RuntimeCalls.call("docker.create", () -> engine.createContainer(manifest.name(), manifest.create()));
            return new RestorePlan(List.of(), Map.of(), "", Map.of(CONTAINER_ID, id, VOLUMES_MADE, String.join(",", made),
                    CHECKPOINT_NAME, "haul-" + Long.toString(System.currentTimeMillis(), 36)));
        } catch (HaulException e) {
            removeVolumes(made);
            throw e;
        }
    }

    @Override
    public Optional<HeldRestore> restore(String migrationId, RestorePlan plan, Path imageDir) throws HaulException {
        String id = plan.facts().get(CONTAINER_ID);
        ContainerView created = view(id);
        TreeCopy.unpack(LAYER, imageDir, Path.of(created.upperDir()));
        for (String volume : created.volumes()) {
            if (TreeCopy.received(VOLUME + volume, imageDir)) {
                TreeCopy.unpack(VOLUME + volume, imageDir, volumeFolder(volume));
            }
        }
        // Docker only starts from checkpoints in the container's own folder (it refuses --checkpoint-dir)
        String checkpointName = plan.facts().get(CHECKPOINT_NAME);
        Path checkpoint = containerFolder(created).resolve("checkpoints").resolve(checkpointName);
        ImageFolders.place(imageDir, checkpoint, name -> !name.startsWith("haul-"));
        CriuHold hold = CriuHold.forRestore(migrationId, checkpoint, Duration.ofSeconds(holdLimitSeconds));
        HeldRuntimeStep step = HeldRuntimeStep.begin(hold, calls,
                () -> { engine.startContainer(id, checkpointName); return null; },
                holdLimitSeconds, "criu.restore-failed", "Docker's restore of " + created.name());
        return Optional.of(new RuntimeRestore(step, step.reached().initPid()));
    }

    @Override
    public void restoreAbandoned(RestorePlan plan) {
        String id = plan.facts().get(CONTAINER_ID);
        try {
            RuntimeCalls.call("docker.engine", () -> { engine.removeContainer(id, true, false); return null; });
        } catch (HaulException e) {
            LOG.warn("could not remove the container {} made for a migration that rolled back: {}", id, e.getMessage());
        }
        String made = plan.facts().getOrDefault(VOLUMES_MADE, "");
        removeVolumes(made.isEmpty() ? List.of() : List.of(made.split(",")));
    }

    /** Removes a container an abandoned restore left, and the volumes Haul made for it. */
    private void removeAbandoned(ContainerView container) throws HaulException {
        LOG.warn("removing the container {} ({}) that an abandoned migration left here, never started", container.name(),
                container.id());
        RuntimeCalls.call("docker.engine", () -> engine.removeContainer(container.id(), true, false));
        for (String volume : container.volumes()) {
            Optional<JsonObject> inspect = RuntimeCalls.call("docker.engine", () -> engine.inspectVolume(volume));
            boolean ours = inspect.map(v -> v.getValue("Labels") instanceof JsonObject labels
                    ? labels.getString(MOVED_LABEL, "") : "").orElse("").equals("true");
            if (ours) {
                RuntimeCalls.call("docker.engine", () -> engine.removeVolume(volume));
            }
        }
    }

    private void removeVolumes(List<String> volumes) {
        for (String volume : volumes) {
            try {
                RuntimeCalls.call("docker.engine", () -> { engine.removeVolume(volume); return null; });
            } catch (HaulException e) {
                LOG.warn("could not remove the volume {} made for a migration that rolled back: {}", volume, e.getMessage());
            }
        }
    }

    /** {@code <data-root>/containers/<id>}: where the engine keeps a container's own files, checkpoints among them. */
    private Path containerFolder(ContainerView container) throws HaulException {
        String root = RuntimeCalls.call("docker.engine", () -> engine.info()).getString("DockerRootDir", "");
        if (root.isEmpty()) {
            throw new HaulException("docker.engine", "the engine at " + socket + " did not say where its data is");
        }
        return Path.of(root, "containers", container.id());
    }
}
