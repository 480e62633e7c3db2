package io.haul.docker;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.backend.ContainerManifest;
import io.haul.api.backend.FileSync;
import io.haul.api.backend.HeldCheckpoint;
import io.haul.api.backend.MigrationFolders;
import io.haul.api.backend.RuntimeSourceSession;
import io.haul.api.backend.SourcePlan;
import io.haul.api.criu.CriuOptions;
import io.haul.criu.hold.CriuHold;
import io.haul.criu.hold.HeldRuntimeStep;
import io.haul.criu.hold.RuntimeCalls;
import io.haul.criu.hold.RuntimeCheckpoint;
import io.haul.docker.files.ImageFolders;
import io.haul.docker.files.SharedFolder;
import io.haul.host.files.TreeSync;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Docker container's migration on the source: the engine's checkpoint, held at post-dump; its writable layer and
 * named volumes sent ahead in rounds; after the commit point the stopped container is removed (its volumes stay).
 */
final class DockerSource implements RuntimeSourceSession {

    private static final Logger LOG = LoggerFactory.getLogger(DockerSource.class);

    private final DockerBackend backend;
    private final String id;
    private final MigrationFolders folders;
    /** The container as the checks saw it: the checkpoint must find the same process. */
    private ContainerView checked;

    DockerSource(DockerBackend backend, String id, MigrationFolders folders) {
        this.backend = backend;
        this.id = id;
        this.folders = folders;
    }

    @Override
    public SourcePlan check() throws HaulException {
        ContainerView view = backend.view(id);
        List<SharedFolder> binds = new ArrayList<>();
        for (String source : view.bindSources()) {
            binds.add(SharedFolder.of(source));
        }
        Optional<DockerEndpoint> endpoint = endpoint(view);
        DockerManifest manifest = new DockerManifest(view.name(), view.imageName(), view.imageId(),
                DockerManifest.createRequest(view, endpoint), view.volumes(), binds, endpoint);
        checked = view;
        return new SourcePlan(view.info(), new ContainerManifest(ContainerView.BACKEND, view.name(), manifest.facts()));
    }

    /**
     * Its place on its network, for a container that has one and could move ({@link ContainerView#whyNot} said
     * why not otherwise); refuses one whose established connections runc's CRIU would not carry.
     */
    private Optional<DockerEndpoint> endpoint(ContainerView view) throws HaulException {
        if (!view.networked() || !view.whyNot().isEmpty()) {
            return Optional.empty();
        }
        String network = view.hostConfig().getString("NetworkMode");
        JsonObject inspect = RuntimeCalls.call("docker.engine", () -> backend.engine().inspectNetwork(network))
                .orElseThrow(() -> new HaulException("docker.network", "docker:" + id + "'s network '" + network
                        + "' is not in this host's engine"));
        Usability tcp = RuncTcpOption.check();
        if (!tcp.usable()) {
            throw new HaulException("check.tcp-established", "docker:" + id + " is on network '" + network
                    + "', and its open connections would not move: " + tcp.reason());
        }
        return DockerEndpoint.of(view, inspect);
    }

    @Override
    public Optional<FileSync> files() throws HaulException {
        return Optional.of(new TreeSync(backend.ownFiles(checked), folders.filesAhead().resolve("state")));
    }

    @Override
    public HeldCheckpoint checkpoint(CriuOptions contributions) throws HaulException {
        ContainerView view = backend.view(id);
        if (view.pid() != checked.pid()) {
            throw new HaulException("container.changed", "docker:" + id + " restarted since the migration began");
        }
        long limit = backend.holdLimitSeconds();
        CriuHold hold = CriuHold.forDump(view.pid(), Duration.ofSeconds(limit));
        String checkpointName = "haul-" + Long.toString(System.currentTimeMillis(), 36);
        Instant start = Instant.now();
        HeldRuntimeStep step = HeldRuntimeStep.begin(hold, backend.calls(),
                () -> { backend.engine().createCheckpoint(view.id(), checkpointName, null, true); return null; },
                limit, "criu.dump-failed", "Docker's checkpoint of docker:" + id);
        try {
            Duration frozenFor = Duration.between(start, Instant.now());
            ImageFolders.place(step.reached().imageDir(), folders.images(), name -> true);
            return new RuntimeCheckpoint(step, frozenFor);
        } catch (HaulException | RuntimeException e) {
            step.undo(); // the container runs on as it was
            throw e;
        }
    }

    @Override
    public void committed() {
        try {
            backend.movedAway(id);
        } catch (HaulException e) {
            LOG.warn("docker:{} moved, but its stopped copy here could not be removed: {}", id, e.getMessage());
        }
    }
}
