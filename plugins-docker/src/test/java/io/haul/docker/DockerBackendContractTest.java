package io.haul.docker;

import io.haul.api.backend.ContainerBackend;
import io.haul.backend.testkit.BackendContract;
import io.haul.docker.engine.PrivateDockerd;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.annotation.Annotation;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The backend contract, against a private Docker engine of this test's own with a busybox container. */
class DockerBackendContractTest extends BackendContract {

    private static final String NAME = "haul-contract";
    private static PrivateDockerd dockerd;
    private DockerBackend backend;
    private String started;

    @BeforeAll
    static void engine() throws Exception {
        dockerd = PrivateDockerd.start(); // skips the class, saying why, where dockerd cannot run
    }

    @AfterAll
    static void stopEngine() {
        if (dockerd != null) {
            dockerd.close();
        }
    }

    @Override
    protected ContainerBackend newBackend() {
        backend = new DockerBackend(dockerd.vertx(), new DockerConfiguration() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return DockerConfiguration.class;
            }

            @Override
            public String socket() {
                return dockerd.socket().toString();
            }

            @Override
            public long holdLimitSeconds() {
                return 60;
            }
        });
        return backend;
    }

    @Override
    protected String name() {
        return ContainerView.BACKEND;
    }

    @Override
    protected String missingId() {
        return "haul-no-such-container";
    }

    @Override
    protected Optional<String> startContainer() throws Exception {
        JsonObject create = new JsonObject().put("Image", PrivateDockerd.IMAGE)
                .put("Cmd", new JsonArray().add("sh").add("-c").add("while :; do sleep 1; done"))
                .put("HostConfig", new JsonObject().put("NetworkMode", "none"));
        started = dockerd.engine().createContainer(NAME, create);
        dockerd.engine().startContainer(started);
        return Optional.of(NAME);
    }

    @Override
    protected void stopContainer() throws Exception {
        if (started != null) {
            dockerd.engine().removeContainer(started, true, true);
            started = null;
        }
        if (backend != null) {
            backend.stop();
        }
    }
}
