package io.haul.docker;

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
import io.haul.criu.hold.RuntimeCalls;
import io.haul.docker.engine.DockerEngine;
import io.haul.host.files.TreeCopy;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code docker} backend: containers of this host's Docker engine, named by name or ID
 * ({@code docker:web}). Docker (through containerd and runc) takes the checkpoint and does the restore, so
 * the container stays Docker's on both hosts ({@link DockerSource}, {@link DockerDestination}); Haul holds both at
 * the commit point with the CRIU hook, moves the images, the writable layer and the named volumes, and makes the
 * container again on the destination with the same name, image, command, environment, labels and mounts.
 */
@Component(service = ContainerBackend.class, configurationPid = DockerConfiguration.PID)
@HaulBackend(ContainerView.BACKEND)
@Designate(ocd = DockerConfiguration.class)
public final class DockerBackend implements ContainerBackend {

    private static final Logger LOG = LoggerFactory.getLogger(DockerBackend.class);
    /** The label of the volumes Haul made on a destination. */
    static final String MOVED_LABEL = "io.haul.moved";
    /** The names the container's own files travel under. */
    static final String LAYER = "layer";
    static final String VOLUME = "volume-";
    /** How often the leftovers of restores decided by a restarted agent are looked for. */
    private static final long SWEEP_MILLIS = 10_000;

    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    private volatile DockerEngine engine;
    private volatile Path socket;
    private volatile long holdLimitSeconds;
    /** The timer of the sweep of what decided restores left ({@link DecidedRestores}). */
    private final long sweeper;

    private final Vertx vertx;

    /** On the agent's Vert.x: the engine's client is one HTTP client on it. */
    @Activate
    public DockerBackend(@Reference Vertx vertx, DockerConfiguration config) {
        this.vertx = vertx;
        configure(config);
        // no event says that a restarted agent's recovery let a held copy run: look now and then
        sweeper = vertx.setPeriodic(SWEEP_MILLIS, timer -> calls.execute(() -> DecidedRestores.sweep(engine)));
    }

    @Modified
    void configure(DockerConfiguration config) {
        DockerEngine previous = engine;
        socket = Path.of(config.socket());
        engine = new DockerEngine(socket, vertx);
        holdLimitSeconds = Math.max(10, config.holdLimitSeconds());
        if (previous != null) {
            previous.close();
        }
        LOG.info("docker backend: the Docker engine at {}", socket);
    }

    @Deactivate
    void stop() {
        vertx.cancelTimer(sweeper);
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

    ContainerView view(String id) throws HaulException {
        return new ContainerView(RuntimeCalls.call("docker.engine", () -> engine.inspectContainer(id)).orElseThrow(() ->
                new HaulException("container.not-found", "no Docker container named '" + id + "' on this host ("
                        + socket + ")")));
    }

    @Override
    public SourceSession openSource(ContainerInfo container, MigrationFolders folders) {
        return new DockerSource(this, container.ref().id(), folders);
    }

    @Override
    public DestinationSession openDestination(ContainerManifest manifest, MigrationFolders folders)
            throws HaulException {
        return new DockerDestination(this, DockerManifest.of(manifest.facts()), folders);
    }

    /** The stopped copy the engine keeps of a container that moved away goes; its volumes stay (they may be shared). */
    @Override
    public void movedAway(String id) throws HaulException {
        ContainerView view;
        try {
            view = view(id);
        } catch (HaulException e) {
            if (e.code().equals("container.not-found")) {
                return; // gone already
            }
            throw e;
        }
        RuntimeCalls.call("docker.engine", () -> {
            engine.removeContainer(view.id(), true, false);
            return null;
        });
        if (!view.volumes().isEmpty()) {
            LOG.info("docker:{} moved; its volumes {} stay in this Docker engine too", id, view.volumes());
        }
    }

    DockerEngine engine() {
        return engine;
    }

    Executor calls() {
        return calls;
    }

    long holdLimitSeconds() {
        return holdLimitSeconds;
    }

    /** The container's own files that move with it: its writable layer and its named volumes. */
    List<TreeCopy> ownFiles(ContainerView view) throws HaulException {
        List<TreeCopy> trees = new ArrayList<>(List.of(new TreeCopy(LAYER, Path.of(view.upperDir()))));
        for (String volume : view.volumes()) {
            trees.add(new TreeCopy(VOLUME + volume, volumeFolder(volume)));
        }
        return trees;
    }

    Path volumeFolder(String volume) throws HaulException {
        JsonObject inspect = RuntimeCalls.call("docker.engine", () -> engine.inspectVolume(volume)).orElseThrow(
                () -> new HaulException("docker.volume", "volume '" + volume + "' went away"));
        return Path.of(inspect.getString("Mountpoint"));
    }

    /** Removes a container an abandoned restore left, and the volumes Haul made for it. */
    void removeAbandoned(ContainerView container) throws HaulException {
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

    void removeVolumes(List<String> volumes) {
        for (String volume : volumes) {
            try {
                RuntimeCalls.call("docker.engine", () -> { engine.removeVolume(volume); return null; });
            } catch (HaulException e) {
                LOG.warn("could not remove the volume {} made for a migration that rolled back: {}", volume, e.getMessage());
            }
        }
    }

    /** {@code <data-root>/containers/<id>}: where the engine keeps a container's own files, checkpoints among them. */
    Path containerFolder(ContainerView container) throws HaulException {
        String root = RuntimeCalls.call("docker.engine", () -> engine.info()).getString("DockerRootDir", "");
        if (root.isEmpty()) {
            throw new HaulException("docker.engine", "the engine at " + socket + " did not say where its data is");
        }
        return Path.of(root, "containers", container.id());
    }
}
