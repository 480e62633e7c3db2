package io.haul.docker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client against a real Docker engine, a private one the class starts and stops (root only). */
class DockerEngineLiveTest {

    private static PrivateDockerd dockerd;
    private static DockerEngine engine;

    @BeforeAll
    static void startEngine() throws Exception {
        dockerd = PrivateDockerd.start();
        engine = dockerd.engine();
    }

    @AfterAll
    static void stopEngine() {
        if (dockerd != null) {
            dockerd.close();
        }
    }

    @Test
    void answersItsVersion() throws Exception {
        JsonObject version = engine.version();
        assertTrue(version.getBoolean("Experimental", false), "started with --experimental: " + version.encode());
        String api = engine.apiVersion();
        assertTrue(ApiVersions.compare(api, "1.24") >= 0, api);
        assertEquals(ApiVersions.nearest(DockerEngine.PREFERRED_API_VERSION, version.getString("MinAPIVersion"), api),
                engine.requestApiVersion());
        engine.ping();
    }

    @Test
    void inspectsImagesByReference() throws Exception {
        JsonObject image = engine.inspectImage(PrivateDockerd.IMAGE).orElseThrow();
        assertTrue(image.getJsonArray("RepoTags").contains(PrivateDockerd.IMAGE), image.encode());
        assertEquals(image, engine.inspectImage(image.getString("Id")).orElseThrow(), "by id");
        assertTrue(engine.inspectImage("haul-test:no-such-tag").isEmpty());
        assertTrue(engine.inspectImage("registry.invalid:5000/team/haul-test@sha256:" + "0".repeat(64)).isEmpty());
    }

    @Test
    void aMissingContainerIsEmptyOrAnErrorThatSaysSo() throws Exception {
        assertTrue(engine.inspectContainer("haul-no-such").isEmpty());
        assertFalse(engine.removeContainer("haul-no-such", true, true));
        assertFalse(engine.removeVolume("haul-no-such"));
        DockerException e = assertThrows(DockerException.class, () -> engine.startContainer("haul-no-such"));
        assertEquals("docker engine at " + dockerd.socket() + ": 404 No such container: haul-no-such", e.getMessage());
        assertEquals(404, e.status());
        assertTrue(e.isNotFound());
        assertEquals("No such container: haul-no-such", e.engineMessage());
        assertEquals("POST /v" + engine.requestApiVersion() + "/containers/haul-no-such/start", e.request());
    }

    @Test
    void createsStartsInspectsListsAndRemovesAContainer() throws Exception {
        String volume = engine.createVolume("haul-life-data", Map.of("io.haul.test", "life"));
        assertEquals("haul-life-data", volume);
        assertEquals("life", engine.inspectVolume(volume).orElseThrow().getJsonObject("Labels").getString("io.haul.test"));

        JsonObject body = container("echo $HAUL_TEST > /data/env; exec sleep 600", "life", volume);
        String id = engine.createContainer("haul-life", body);
        try {
            assertTrue(id.matches("[0-9a-f]{64}"), id);
            DockerException taken = assertThrows(DockerException.class, () -> engine.createContainer("haul-life", body));
            assertTrue(taken.isConflict(), taken.getMessage());
            assertTrue(taken.getMessage().startsWith("docker engine at " + dockerd.socket() + ": 409 Conflict. The container name \"/haul-life\" is already in use"),
                    taken.getMessage());

            engine.startContainer(id);
            engine.startContainer(id); // running already: 304, nothing to do

            JsonObject inspect = engine.inspectContainer("haul-life").orElseThrow();
            assertEquals(id, inspect.getString("Id"));
            assertEquals(inspect.getString("Id"), engine.inspectContainer("/haul-life").orElseThrow().getString("Id"),
                    "Docker's own form of the name, as inspect reports it");
            JsonObject state = inspect.getJsonObject("State");
            assertTrue(state.getBoolean("Running"), state.encode());
            int pid = state.getInteger("Pid");
            assertTrue(pid > 0, state.encode());
            assertTrue(Files.isDirectory(Path.of("/proc/" + pid)));
            Path upper = upperDir(id);
            assertTrue(Files.isDirectory(upper), upper.toString());
            assertTrue(upper.startsWith(dockerd.dir()), upper.toString());
            assertEquals("none", inspect.getJsonObject("HostConfig").getString("NetworkMode"));
            assertEquals("life", inspect.getJsonObject("Config").getJsonObject("Labels").getString("io.haul.test"));
            assertTrue(inspect.getJsonObject("Config").getJsonArray("Env").contains("HAUL_TEST=hello"));
            JsonObject mount = inspect.getJsonArray("Mounts").getJsonObject(0);
            assertEquals("volume", mount.getString("Type"));
            assertEquals(volume, mount.getString("Name"));
            assertEquals("/data", mount.getString("Destination"));
            Path env = Path.of(mount.getString("Source")).resolve("env");
            awaitFile(env);
            assertEquals("hello", Files.readString(env).strip(), "the env var, written into the volume");

            List<JsonObject> running = engine.runningContainers();
            assertTrue(running.stream().anyMatch(c -> id.equals(c.getString("Id"))), running.toString());

            DockerException inUse = assertThrows(DockerException.class, () -> engine.removeVolume(volume));
            assertEquals(409, inUse.status(), inUse.getMessage());
        } finally {
            assertTrue(engine.removeContainer(id, true, true));
        }
        assertTrue(engine.inspectContainer(id).isEmpty());
        assertTrue(engine.runningContainers().stream().noneMatch(c -> id.equals(c.getString("Id"))));
        // v=true removes a container's anonymous volumes only: a named one stays until removed by name
        assertTrue(engine.inspectVolume(volume).isPresent());
        assertTrue(engine.removeVolume(volume));
        assertTrue(engine.inspectVolume(volume).isEmpty());
    }

    @Test
    void checkpointsARunningContainerAndRestoresIt() throws Exception {
        if (!Files.isExecutable(PrivateDockerd.CRIU)) {
            String why = PrivateDockerd.CRIU + " is missing (runtime/setup/install-criu.sh)";
            System.out.println("SKIPPED: " + why);
            Assumptions.assumeTrue(false, why);
        }
        String volume = engine.createVolume("haul-cp-data", Map.of());
        String script = "i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 0.1; done";
        String id = engine.createContainer("haul-cp", container(script, "cp", volume));
        // a second container for the checkpoint with Exit: one checkpointed moments before could lose containerd's
        // content race (CheckpointContentRace), which with Exit stops the container and loses its checkpoint
        String exiting = engine.createContainer("haul-cp-exit", container(script, "cp-exit", volume));
        try {
            engine.startContainer(id);
            int pid = pid(id);
            awaitFile(Path.of("/proc/" + pid + "/root/tmp/n"));

            engine.createCheckpoint(id, "cp1", null, false);
            assertEquals(pid, pid(id), "Exit=false: the container runs on");
            Path checkpoints = dockerd.dir().resolve("data/containers/" + id + "/checkpoints");
            assertTrue(Files.isRegularFile(checkpoints.resolve("cp1/inventory.img")), "the engine's own folder");

            Path elsewhere = Files.createDirectories(dockerd.dir().resolve("cps"));
            engine.createCheckpoint(id, "cp2", elsewhere.toString(), false);
            assertTrue(Files.isRegularFile(elsewhere.resolve("cp2/inventory.img")), "the folder given");

            engine.startContainer(exiting);
            awaitFile(Path.of("/proc/" + pid(exiting) + "/root/tmp/n"));
            engine.createCheckpoint(exiting, "cp3", null, true);
            long before = Long.parseLong(Files.readString(upperDir(exiting).resolve("tmp/n")).strip());
            JsonObject stopped = engine.inspectContainer(exiting).orElseThrow().getJsonObject("State");
            assertFalse(stopped.getBoolean("Running"), "Exit=true: " + stopped.encode());

            engine.startContainer(exiting, "cp3");
            int restored = pid(exiting);
            assertNotEquals(0, restored);
            Path restoredCounter = Path.of("/proc/" + restored + "/root/tmp/n");
            long deadline = System.nanoTime() + 5_000_000_000L;
            long now = before;
            while (now <= before && System.nanoTime() < deadline) {
                Thread.sleep(100); // the loop writes every 100 ms; no event says it did
                now = Long.parseLong(Files.readString(restoredCounter).strip());
            }
            assertTrue(now > before, "the restored loop counts on from " + before + ": " + now);

            DockerException again = assertThrows(DockerException.class, () -> engine.startContainer(id, "cp1"));
            assertEquals(304, again.status(), again.getMessage());
        } finally {
            assertTrue(engine.removeContainer(id, true, true));
            assertTrue(engine.removeContainer(exiting, true, true));
            assertTrue(engine.removeVolume(volume));
        }
    }

    private static JsonObject container(String script, String label, String volume) {
        return new JsonObject()
                .put("Image", PrivateDockerd.IMAGE)
                .put("Cmd", new JsonArray().add("sh").add("-c").add(script))
                .put("Env", new JsonArray().add("HAUL_TEST=hello"))
                .put("Labels", new JsonObject().put("io.haul.test", label))
                .put("HostConfig", new JsonObject()
                        .put("NetworkMode", "none")
                        .put("Binds", new JsonArray().add(volume + ":/data")));
    }

    private static int pid(String id) throws DockerException {
        return engine.inspectContainer(id).orElseThrow().getJsonObject("State").getInteger("Pid");
    }

    /** The container's own layer (overlay2's upper dir), readable while it is stopped too. */
    private static Path upperDir(String id) throws DockerException {
        return Path.of(engine.inspectContainer(id).orElseThrow()
                .getJsonObject("GraphDriver").getJsonObject("Data").getString("UpperDir"));
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!Files.exists(file) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(file), file + " within 5 s");
    }
}
