package io.haul.docker.engine;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small blocking client for the Docker Engine API on its unix socket ({@code /run/docker.sock}).
 * Each call waits for the engine's whole answer; call it from a thread that may block, never from an event
 * loop. An error answer is a {@link DockerException} with the engine's status and message; inspecting
 * something that does not exist is an empty Optional instead. Names and ids are checked before they go into
 * a path ({@code '/'}, {@code ".."} and the like are refused with an {@link IllegalArgumentException}).
 *
 * <p>Requests name API version {@value #PREFERRED_API_VERSION} (Docker 20.10), or the nearest version the
 * engine supports, asked once with {@code GET /version}. Ordinary calls give up when the engine stays silent
 * for {@link #READ_TIMEOUT}; starting a container and checkpointing one wait as long as the engine takes
 * (a restore or dump can be held for minutes). Every call gives up when no connection is made within
 * {@link #CONNECT_TIMEOUT}.
 *
 * <p>Thread-safe. Close it to release its connections (and the Vert.x instance it made, if it made one).
 */
public final class DockerEngine implements AutoCloseable {

    /** The API version these calls are written against: Docker 20.10's. */
    public static final String PREFERRED_API_VERSION = "1.41";
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private static final Logger LOG = LoggerFactory.getLogger(DockerEngine.class);
    private static final String JSON = "application/json";

    private final Path socket;
    private final EngineHttp http;
    private final Duration readTimeout;
    private final CheckpointContentRace race = new CheckpointContentRace();
    private volatile String requestApiVersion;

    /** A client for the engine at {@code socket} on a Vert.x instance the caller owns (the agent's). */
    public DockerEngine(Path socket, Vertx vertx) {
        this(socket, vertx, CONNECT_TIMEOUT, READ_TIMEOUT);
    }

    DockerEngine(Path socket, Vertx vertx, Duration connectTimeout, Duration readTimeout) {
        this.socket = socket.toAbsolutePath();
        this.http = new EngineHttp(this.socket, Objects.requireNonNull(vertx, "vertx"), connectTimeout);
        this.readTimeout = readTimeout;
    }

    /** The engine's socket. */
    public Path socket() {
        return socket;
    }

    /** Succeeds when the engine answers {@code GET /_ping}. */
    public void ping() throws DockerException {
        expect(call(HttpMethod.GET, "/_ping", null, readTimeout));
    }

    /** The engine's {@code GET /version}: Version, ApiVersion, MinAPIVersion, Components, Experimental... */
    public JsonObject version() throws DockerException {
        String uri = "/version";
        return json(uri, expect(call(HttpMethod.GET, uri, null, readTimeout)));
    }

    /** The engine's {@code GET /info}: DockerRootDir, Driver, Containers, ServerVersion... */
    public JsonObject info() throws DockerException {
        String uri = "/info";
        return json(uri, expect(call(HttpMethod.GET, uri, null, readTimeout)));
    }

    /** The newest API version the engine speaks, e.g. {@code 1.41}. */
    public String apiVersion() throws DockerException {
        return version().getString("ApiVersion", "");
    }

    /** The API version this client's requests name: {@value #PREFERRED_API_VERSION} or the engine's nearest. */
    public String requestApiVersion() throws DockerException {
        String version = requestApiVersion;
        if (version == null) {
            JsonObject info = version();
            version = ApiVersions.nearest(PREFERRED_API_VERSION, info.getString("MinAPIVersion"),
                    info.getString("ApiVersion"));
            requestApiVersion = version;
        }
        return version;
    }

    /** The running containers, as {@code GET /containers/json} lists them (Id, Names, Image, State, Labels...). */
    public List<JsonObject> runningContainers() throws DockerException {
        String uri = api("/containers/json");
        JsonArray all = jsonArray(uri, expect(call(HttpMethod.GET, uri, null, readTimeout)));
        List<JsonObject> list = new ArrayList<>(all.size());
        for (int i = 0; i < all.size(); i++) {
            list.add(all.getJsonObject(i));
        }
        return list;
    }

    /** {@code GET /containers/{id}/json}: the container's whole state, or empty when there is none. */
    public Optional<JsonObject> inspectContainer(String idOrName) throws DockerException {
        return inspect(api("/containers/" + EngineNames.container(idOrName) + "/json"));
    }

    /** {@code GET /images/{ref}/json}: the image, or empty when the engine has none by that reference. */
    public Optional<JsonObject> inspectImage(String ref) throws DockerException {
        return inspect(api("/images/" + EngineNames.image(ref) + "/json"));
    }

    /**
     * Creates a container ({@code POST /containers/create}) from {@code body}, the engine's container
     * config (Image, Cmd, Env, Labels, HostConfig...), and returns its id.
     *
     * @param name the container's name, or null for one the engine makes up
     */
    public String createContainer(String name, JsonObject body) throws DockerException {
        Objects.requireNonNull(body, "body");
        String uri = api("/containers/create" + (name == null ? "" : "?name=" + EngineNames.newContainerName(name)));
        JsonObject created = json(uri, expect(call(HttpMethod.POST, uri, body, readTimeout)));
        JsonArray warnings = created.getJsonArray("Warnings");
        if (warnings != null && !warnings.isEmpty()) {
            LOG.warn("docker engine at {} created container {} with warnings: {}", socket, name, warnings.encode());
        }
        return created.getString("Id");
    }

    /** Starts a created or stopped container ({@code POST /containers/{id}/start}); one running already is left so. */
    public void startContainer(String id) throws DockerException {
        startContainer(id, null);
    }

    /**
     * Starts a container ({@code POST /containers/{id}/start}); with a checkpoint, restores it from that
     * checkpoint instead, which may take minutes (no read timeout). A container running already is left so
     * without a checkpoint, and is an error (304) with one, since nothing was restored.
     *
     * <p>The engine restores only from its own checkpoint folder ({@code containers/ID/checkpoints/NAME} in
     * its data root): Docker 20.10 answers {@code 403 custom checkpointdir is not supported} to a restore
     * from elsewhere, which is why this method takes no folder. A restore the engine fails because its
     * containerd still holds the checkpoint from its making is tried again for a while (see
     * {@link CheckpointContentRace}).
     *
     * @param checkpointOrNull the name of a checkpoint of this container to restore, or null
     */
    public void startContainer(String id, String checkpointOrNull) throws DockerException {
        String path = "/containers/" + EngineNames.container(id) + "/start";
        if (checkpointOrNull != null) {
            path += "?checkpoint=" + EngineNames.query(EngineNames.checkpointId(checkpointOrNull));
        }
        String uri = api(path);
        EngineHttp.Reply reply = call(HttpMethod.POST, uri, null, null);
        long deadline = System.nanoTime() + CheckpointContentRace.RETRIES_WITHIN.toNanos();
        while (checkpointOrNull != null && lostTheRace(reply) && System.nanoTime() < deadline) {
            LOG.info("docker engine at {}: restoring {} from checkpoint {} again: {}", socket, id, checkpointOrNull,
                    engineMessage(reply.body()));
            pause(reply.request(), CheckpointContentRace.RETRY_PAUSE);
            reply = call(HttpMethod.POST, uri, null, null);
        }
        if (reply.status() == 304 && checkpointOrNull == null) {
            return;
        }
        if (reply.status() == 304) {
            throw DockerException.answered(socket, reply.request(), 304, null,
                    "container " + id + " is running already: checkpoint " + checkpointOrNull + " not restored");
        }
        expect(reply);
    }

    /**
     * Checkpoints a running container with CRIU ({@code POST /containers/{id}/checkpoints}; the engine needs
     * {@code --experimental}). It may take minutes (no read timeout). A container this client checkpointed
     * less than {@link CheckpointContentRace#SPACING} ago is checkpointed only once that time has passed, and a
     * checkpoint without Exit that the engine fails for the same race is tried again (see
     * {@link CheckpointContentRace}).
     *
     * @param checkpointId the checkpoint's name, a folder name
     * @param checkpointDirOrNull the folder to write {@code checkpointId/} into, or null for the engine's own
     *     (the only one it restores from, see {@link #startContainer(String, String)})
     * @param exit whether the container stops once checkpointed
     */
    public void createCheckpoint(String id, String checkpointId, String checkpointDirOrNull, boolean exit)
            throws DockerException {
        JsonObject body = new JsonObject()
                .put("CheckpointID", EngineNames.checkpointId(checkpointId))
                .put("Exit", exit);
        if (checkpointDirOrNull != null) {
            body.put("CheckpointDir", EngineNames.checkpointDir(checkpointDirOrNull));
        }
        String container = EngineNames.container(id);
        String uri = api("/containers/" + container + "/checkpoints");
        long deadline = System.nanoTime() + CheckpointContentRace.RETRIES_WITHIN.toNanos();
        while (true) {
            Duration wait = race.waitBeforeCheckpoint(container);
            if (!wait.isZero()) {
                pause("POST " + uri, wait);
            }
            EngineHttp.Reply reply = call(HttpMethod.POST, uri, body, null);
            race.checkpointed(container);
            if (!lostTheRace(reply)) {
                expect(reply);
                return;
            }
            if (exit) {
                throw DockerException.answered(socket, reply.request(), reply.status(), engineMessage(reply.body()),
                        CheckpointContentRace.exitHint(id));
            }
            if (System.nanoTime() >= deadline) {
                expect(reply);
            }
            LOG.info("docker engine at {}: checkpointing {} again: {}", socket, id, engineMessage(reply.body()));
        }
    }

    /**
     * Removes a container ({@code DELETE /containers/{id}}).
     *
     * @param force kill it first if it runs
     * @param volumes also remove its anonymous volumes (never named ones: see {@link #removeVolume})
     * @return false when there was no such container
     */
    public boolean removeContainer(String id, boolean force, boolean volumes) throws DockerException {
        String uri = api("/containers/" + EngineNames.container(id) + "?force=" + force + "&v=" + volumes);
        return removed(call(HttpMethod.DELETE, uri, null, readTimeout));
    }

    /**
     * {@code GET /networks/{name}}: the network (Id, Driver, IPAM's subnets, Options, the Containers on it with
     * their addresses), or empty when the engine has none by that name.
     */
    public Optional<JsonObject> inspectNetwork(String name) throws DockerException {
        return inspect(api("/networks/" + EngineNames.network(name)));
    }

    /** {@code GET /volumes/{name}}: the volume (Name, Driver, Mountpoint, Labels...), or empty when there is none. */
    public Optional<JsonObject> inspectVolume(String name) throws DockerException {
        return inspect(api("/volumes/" + EngineNames.volume(name)));
    }

    /**
     * Creates a volume with the local driver ({@code POST /volumes/create}) and returns its name. Beware of
     * the engine's semantics: when a volume of that name exists already, it answers with that volume as if
     * it had made it, and leaves its labels as they were; {@link #inspectVolume} first to tell.
     */
    public String createVolume(String name, Map<String, String> labels) throws DockerException {
        JsonObject body = new JsonObject().put("Name", EngineNames.newVolumeName(name)).put("Driver", "local");
        JsonObject labelObject = new JsonObject();
        if (labels != null) {
            labels.forEach(labelObject::put);
        }
        body.put("Labels", labelObject);
        String uri = api("/volumes/create");
        return json(uri, expect(call(HttpMethod.POST, uri, body, readTimeout))).getString("Name");
    }

    /**
     * Removes a volume ({@code DELETE /volumes/{name}}); one a container uses is a 409 error.
     *
     * @return false when there was no such volume
     */
    public boolean removeVolume(String name) throws DockerException {
        return removed(call(HttpMethod.DELETE, api("/volumes/" + EngineNames.volume(name)), null, readTimeout));
    }

    private static boolean lostTheRace(EngineHttp.Reply reply) {
        return CheckpointContentRace.isRace(reply.status(), engineMessage(reply.body()));
    }

    private void pause(String request, Duration pause) throws DockerException {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DockerException.failed(socket, request, request + " interrupted, request abandoned", e);
        }
    }

    @Override
    public void close() {
        http.close(); // the Vert.x instance is the caller's
    }

    @Override
    public String toString() {
        return "DockerEngine[" + socket + "]";
    }

    /** The versioned URI of an API path. */
    private String api(String path) throws DockerException {
        return "/v" + requestApiVersion() + path;
    }

    private EngineHttp.Reply call(HttpMethod method, String uri, JsonObject body, Duration idleTimeout)
            throws DockerException {
        long start = System.nanoTime();
        EngineHttp.Reply reply = body == null
                ? http.exchange(method, uri, null, null, idleTimeout)
                : http.exchange(method, uri, JSON, body.toBuffer(), idleTimeout);
        if (LOG.isDebugEnabled()) {
            LOG.debug("docker engine at {}: {} {} -> {} in {} ms", socket, method, uri, reply.status(),
                    (System.nanoTime() - start) / 1_000_000);
        }
        return reply;
    }

    private Optional<JsonObject> inspect(String uri) throws DockerException {
        EngineHttp.Reply reply = call(HttpMethod.GET, uri, null, readTimeout);
        if (reply.status() == 404) {
            return Optional.empty();
        }
        return Optional.of(json(uri, expect(reply)));
    }

    private boolean removed(EngineHttp.Reply reply) throws DockerException {
        if (reply.status() == 404) {
            return false;
        }
        expect(reply);
        return true;
    }

    /** The reply when it is a success (2xx), else the engine's error. */
    private EngineHttp.Reply expect(EngineHttp.Reply reply) throws DockerException {
        if (reply.ok()) {
            return reply;
        }
        throw DockerException.answered(socket, reply.request(), reply.status(), engineMessage(reply.body()));
    }

    private JsonObject json(String uri, EngineHttp.Reply reply) throws DockerException {
        try {
            return reply.body().toJsonObject();
        } catch (DecodeException | ClassCastException e) {
            throw DockerException.failed(socket, uri, uri + " answered " + reply.status()
                    + " with a body that is not a JSON object: " + excerpt(reply.body()), e);
        }
    }

    private JsonArray jsonArray(String uri, EngineHttp.Reply reply) throws DockerException {
        try {
            return reply.body().toJsonArray();
        } catch (DecodeException | ClassCastException e) {
            throw DockerException.failed(socket, uri, uri + " answered " + reply.status()
                    + " with a body that is not a JSON array: " + excerpt(reply.body()), e);
        }
    }

    /** The "message" of the engine's error body, else the body's text. */
    private static String engineMessage(Buffer body) {
        if (body == null || body.length() == 0) {
            return null;
        }
        try {
            Object message = body.toJsonObject().getValue("message");
            if (message != null) {
                return message.toString();
            }
        } catch (RuntimeException notJson) {
            // a plain text error (e.g. from a proxy in front of the socket)
        }
        return excerpt(body);
    }

    private static String excerpt(Buffer body) {
        String text = body.toString().strip();
        return text.length() > 500 ? text.substring(0, 500) + "..." : text;
    }
}
