package io.haul.docker;

import io.haul.api.HaulException;
import io.haul.docker.files.SharedFolder;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the destination's docker backend needs to make the container again, as the manifest's string facts:
 * its name, image (as named and by ID), the create request that gives it the same command, environment,
 * labels and mounts, its named volumes (their content travels as files) and its bind mounts (which must be on
 * storage both hosts share: they are identified by device and inode), and its place on a network when it has one
 * ({@link DockerEndpoint}: the create request then attaches it there with the same address).
 */
record DockerManifest(String name, String image, String imageId, JsonObject create, List<String> volumes,
        List<SharedFolder> binds, Optional<DockerEndpoint> endpoint) {

    private static final String NAME = "docker.name";
    private static final String IMAGE = "docker.image";
    private static final String IMAGE_ID = "docker.image-id";
    private static final String CREATE = "docker.create";
    private static final String VOLUMES = "docker.volumes";
    private static final String BINDS = "docker.binds";
    /** Absent from a source that moved only containers without network: none, then. */
    private static final String NETWORK = "docker.network";

    /** The create request from an inspect: the same configuration, the host settings as they were. */
    static JsonObject createRequest(ContainerView container, Optional<DockerEndpoint> endpoint) {
        JsonObject config = container.config();
        JsonObject body = new JsonObject();
        for (String field : List.of("Hostname", "Domainname", "User", "Env", "Cmd", "Entrypoint", "WorkingDir", "Labels",
                "StopSignal", "StopTimeout", "Volumes", "OpenStdin", "StdinOnce", "ExposedPorts")) {
            if (config.containsKey(field) && config.getValue(field) != null) {
                body.put(field, config.getValue(field));
            }
        }
        body.put("Image", container.imageName());
        JsonObject host = container.hostConfig().copy();
        host.remove("ContainerIDFile");
        body.put("HostConfig", host);
        endpoint.ifPresent(e -> e.addTo(body));
        return body;
    }

    Map<String, String> facts() {
        return Map.of(NAME, name, IMAGE, image, IMAGE_ID, imageId, CREATE, create.encode(),
                VOLUMES, String.join(",", volumes), BINDS, SharedFolder.encode(binds),
                NETWORK, endpoint.map(DockerEndpoint::encode).orElse(""));
    }

    static DockerManifest of(Map<String, String> facts) throws HaulException {
        for (String key : List.of(NAME, IMAGE, IMAGE_ID, CREATE, VOLUMES, BINDS)) {
            if (!facts.containsKey(key)) {
                throw new HaulException("check.manifest", "the source's docker backend sent no '" + key
                        + "': it is of another version than this one");
            }
        }
        try {
            List<String> volumes = facts.get(VOLUMES).isEmpty() ? List.of() : List.of(facts.get(VOLUMES).split(","));
            for (String volume : volumes) {
                if (!volume.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
                    throw new HaulException("check.manifest", "refused a volume named '" + volume + "'");
                }
            }
            List<SharedFolder> binds = SharedFolder.decode(facts.get(BINDS));
            return new DockerManifest(facts.get(NAME), facts.get(IMAGE), facts.get(IMAGE_ID),
                    new JsonObject(facts.get(CREATE)), volumes, binds, DockerEndpoint.decode(facts.get(NETWORK)));
        } catch (DecodeException | ClassCastException | NullPointerException e) {
            throw new HaulException("check.manifest", "the source's docker manifest is malformed: " + e.getMessage());
        }
    }
}
