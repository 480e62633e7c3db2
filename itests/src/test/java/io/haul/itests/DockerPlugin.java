package io.haul.itests;

import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The docker plugin jar as a user deploys it into an agent, and waiting until the agent lists its backend. */
final class DockerPlugin {

    private static final long BACKEND_SECONDS = 60;

    private DockerPlugin() {
    }

    /** The agent's configuration names its host's engine; the jar goes into its deploy folder in one step. */
    static void deploy(TwoHostCluster.Agent agent, DockerHost docker) throws IOException {
        Files.writeString(agent.state.resolve("etc/haul.docker.cfg"), "socket=" + docker.socket() + "\n");
        Path jar = Path.of(System.getProperty("haul.docker.jar", ""));
        assertTrue("the docker plugin jar " + jar + " exists (build first)", Files.isRegularFile(jar));
        Path staging = agent.state.resolve("plugin-docker.jar.part");
        Files.copy(jar, staging, StandardCopyOption.REPLACE_EXISTING);
        Files.move(staging, agent.state.resolve("deploy/plugin-docker.jar"), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Waits until the agent lists docker as a usable backend; polled (the agent publishes no such event). */
    static void awaitUsable(TwoHostCluster cluster, TwoHostCluster.Agent agent) throws Exception {
        awaitUsable(cluster, agent, "docker");
    }

    /** Waits until the agent lists the plugin's backend {@code backend} (docker or runc) as usable; polled. */
    static void awaitUsable(TwoHostCluster cluster, TwoHostCluster.Agent agent, String backend) throws Exception {
        long deadline = System.nanoTime() + BACKEND_SECONDS * 1_000_000_000L;
        JsonNode backends = null;
        while (System.nanoTime() < deadline) {
            backends = cluster.json(agent, "backends", "--json");
            if (backends.findParents("name").stream().anyMatch(n -> n.path("name").asText().equals(backend)
                    && n.path("usable").asBoolean())) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(agent.name + ": " + backend + " not usable within " + BACKEND_SECONDS + " s; backends now: "
                + backends + "\nagent log:\n" + agent.logText());
    }
}
