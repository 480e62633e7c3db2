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
import io.haul.host.files.Folders;
import io.haul.host.files.TreeCopy;
import io.vertx.core.json.JsonArray;
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
    /** The bridge of the container's network here, once checked; null for a container without network. */
    private String bridge;
    /** The container made here, once made. */
    private String containerId;
    /** Haul's checkpoint in the container's folder, once placed there. */
    private Path checkpoint;
    /** The folder CRIU restored from, as the hold told: containerd's own copy of the checkpoint. */
    private Path restoredFrom;

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
        if (manifest.endpoint().isPresent()) {
            bridge = checkNetwork(manifest.endpoint().get());
        }
    }

    /**
     * The network of the container's network's name is here, of the same driver and subnet, and its address and
     * hardware address are free on it: the engine here will attach the container with both again. Returns the
     * bridge its host end will be a port of.
     */
    private String checkNetwork(DockerEndpoint endpoint) throws HaulException {
        String of = "the container's network '" + endpoint.network() + "' (subnet " + String.join(", ",
                endpoint.subnets()) + " on the source, the container at " + endpoint.address() + ")";
        JsonObject network = RuntimeCalls.call("docker.engine", () -> backend.engine().inspectNetwork(
                endpoint.network())).orElseThrow(() -> new HaulException("check.network", "the Docker engine here "
                        + "has no network named '" + endpoint.network() + "', " + of + ": create it on the segment "
                        + "both hosts share, with the same subnet (docker network create --subnet "
                        + String.join(",", endpoint.subnets()) + " -o com.docker.network.bridge.name=BRIDGE "
                        + endpoint.network() + ")"));
        String driver = network.getString("Driver", "");
        if (!driver.equals(endpoint.driver())) {
            throw new HaulException("check.network", "the network '" + endpoint.network() + "' here has the driver '"
                    + driver + "', the source's has '" + endpoint.driver() + "'");
        }
        List<String> subnets = DockerEndpoint.subnets(network);
        if (!subnets.containsAll(endpoint.subnets())) {
            throw new HaulException("check.network", "the network '" + endpoint.network() + "' here has the subnet "
                    + String.join(", ", subnets) + ", not that of " + of + "; a network must have the same subnet on "
                    + "both hosts for the container's address to move");
        }
        JsonObject attached = network.getJsonObject("Containers", new JsonObject());
        for (String containerId : attached == null ? List.<String>of() : attached.fieldNames()) {
            JsonObject other = attached.getJsonObject(containerId);
            String address = other.getString("IPv4Address", "");
            boolean sameAddress = address.equals(endpoint.address()) || address.startsWith(endpoint.address() + "/");
            if (sameAddress || (!endpoint.mac().isEmpty() && endpoint.mac().equalsIgnoreCase(
                    other.getString("MacAddress", "")))) {
                throw new HaulException("check.address", (sameAddress ? "the container's address "
                        + endpoint.address() : "the container's hardware address " + endpoint.mac()) + " on network '"
                        + endpoint.network() + "' is taken here by the container '" + other.getString("Name",
                        containerId) + "'");
            }
        }
        JsonArray pools = network.getJsonObject("IPAM", new JsonObject()).getJsonArray("Config", new JsonArray());
        for (Object pool : pools) {
            if (pool instanceof JsonObject p && endpoint.address().equals(p.getString("Gateway", ""))) {
                throw new HaulException("check.address", "the container's address " + endpoint.address()
                        + " is the gateway of network '" + endpoint.network() + "' here (this host's own address)");
            }
        }
        return DockerEndpoint.bridgeOf(network);
    }

    /**
     * The net handler asks for the container's veth on the bridge here ({@code veth[eth0]:HOST_END@BRIDGE}); the
     * engine makes that veth itself when it attaches the container to its network, on that network's bridge, so
     * those are applied as long as the bridges agree. Anything else the runtime cannot apply.
     */
    @Override
    public void accept(CriuOptions contributions) throws HaulException {
        List<String> others = new ArrayList<>();
        for (String external : contributions.externals()) {
            boolean engines = bridge != null && external.startsWith("veth[" + DockerEndpoint.INTERFACE + "]:")
                    && external.endsWith("@" + bridge);
            if (!engines) {
                others.add(external);
            }
        }
        if (!others.isEmpty() && bridge != null) {
            throw new HaulException("check.network", "the net handler would attach the container with " + others
                    + ", but the engine here puts it on the bridge " + bridge + " of network '"
                    + manifest.endpoint().get().network() + "': the bridges must be the same (or mapped to it)");
        }
        RuntimeDestinationSession.super.accept(new CriuOptions(others, contributions.joinNamespaces(),
                contributions.root(), contributions.flags()));
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
        checkpoint = backend.containerFolder(created).resolve("checkpoints").resolve(checkpointName);
        ImageFolders.place(images, checkpoint, name -> !name.startsWith("haul-"));
        long limit = backend.holdLimitSeconds();
        CriuHold hold = CriuHold.forRestore(folders.migrationId(), checkpoint, Duration.ofSeconds(limit));
        HeldRuntimeStep step = HeldRuntimeStep.begin(hold, backend.calls(),
                () -> { backend.engine().startContainer(containerId, checkpointName); return null; },
                limit, "criu.restore-failed", "Docker's restore of " + created.name());
        restoredFrom = step.reached().imageDir();
        return new RuntimeRestore(step, step.reached().initPid());
    }

    /** The container runs: Docker needs its checkpoint no more (it would keep it, the container's memory, for ever). */
    @Override
    public void committed(long rootPid) {
        if (checkpoint != null && !Folders.delete(checkpoint)) {
            LOG.warn("could not remove the checkpoint {} the container started from", checkpoint);
        }
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

    @Override
    public void close() {
        ContainerdCheckpointCopies.removeFor(folders.migrationId(), Optional.ofNullable(restoredFrom));
    }
}
