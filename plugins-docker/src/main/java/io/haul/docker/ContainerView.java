package io.haul.docker;

import io.haul.api.ContainerRef;
import io.haul.api.backend.ContainerInfo;
import io.haul.host.proc.Namespaces;
import io.haul.host.proc.ProcessTree;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A container as the Docker engine's inspect shows it, and what the docker backend can move of it: a running
 * container without network ({@code --network none}) or on one user-defined network with a fixed address
 * ({@link DockerEndpoint}), without a terminal, with its own PID and IPC namespaces, and with local volumes, bind mounts
 * and tmpfs mounts only.
 */
record ContainerView(JsonObject inspect) {

    static final String BACKEND = "docker";

    String id() {
        return inspect.getString("Id");
    }

    /** The name without Docker's leading '/'. */
    String name() {
        String name = inspect.getString("Name", "");
        return name.startsWith("/") ? name.substring(1) : name;
    }

    /** Docker's word for its state: created, running, paused, exited... */
    String status() {
        return state().getString("Status", "");
    }

    long pid() {
        return state().getLong("Pid", 0L);
    }

    JsonObject config() {
        return inspect.getJsonObject("Config", new JsonObject());
    }

    JsonObject hostConfig() {
        return inspect.getJsonObject("HostConfig", new JsonObject());
    }

    String imageId() {
        return inspect.getString("Image", "");
    }

    String imageName() {
        return config().getString("Image", imageId());
    }

    /** The container's writable layer (overlay2's upper folder). */
    String upperDir() {
        JsonObject driver = inspect.getJsonObject("GraphDriver", new JsonObject());
        return driver.getJsonObject("Data", new JsonObject()).getString("UpperDir", "");
    }

    /** {@code NetworkSettings.Networks}: the networks it is on, by name, with its address on each. */
    JsonObject networks() {
        JsonObject settings = inspect.getJsonObject("NetworkSettings", new JsonObject());
        JsonObject networks = settings.getJsonObject("Networks");
        return networks == null ? new JsonObject() : networks;
    }

    /** Whether it has a network whose state the engine, not the container, keeps: any mode but {@code none}. */
    boolean networked() {
        return !"none".equals(hostConfig().getString("NetworkMode", ""));
    }

    /** Named local volumes it mounts. */
    List<String> volumes() {
        List<String> names = new ArrayList<>();
        for (JsonObject mount : mounts()) {
            if ("volume".equals(mount.getString("Type"))) {
                names.add(mount.getString("Name"));
            }
        }
        return names;
    }

    /** Host folders it bind-mounts. */
    List<String> bindSources() {
        List<String> sources = new ArrayList<>();
        for (JsonObject mount : mounts()) {
            if ("bind".equals(mount.getString("Type"))) {
                sources.add(mount.getString("Source"));
            }
        }
        return sources;
    }

    ContainerInfo info() {
        String whyNot = whyNot();
        long pid = pid();
        List<Long> tasks = pid > 0 ? ProcessTree.processes(pid) : List.of();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("id", id().substring(0, Math.min(12, id().length())));
        details.put("image", imageName());
        details.put("state", state().getString("Status", "?"));
        details.put("network", hostConfig().getString("NetworkMode", "?"));
        JsonObject on = networks().getJsonObject(hostConfig().getString("NetworkMode", ""));
        if (on != null && !on.getString("IPAddress", "").isEmpty()) {
            details.put("address", on.getString("IPAddress") + "/" + on.getInteger("IPPrefixLen", 0) + " "
                    + on.getString("MacAddress", ""));
        }
        if (!volumes().isEmpty()) {
            details.put("volumes", String.join(",", volumes()));
        }
        return new ContainerInfo(new ContainerRef(BACKEND, name()), pid, command(), tasks.size(),
                ProcessTree.residentBytes(tasks), pid > 0 ? Namespaces.system().ownKindsOrNone(pid) : Set.of(),
                whyNot.isEmpty(), whyNot, details);
    }

    String command() {
        List<String> words = new ArrayList<>();
        words.add(inspect.getString("Path", ""));
        JsonArray args = inspect.getJsonArray("Args", new JsonArray());
        args.forEach(a -> words.add(String.valueOf(a)));
        return String.join(" ", words).strip();
    }

    /** Empty when the docker backend can move it; else every reason, for people. */
    String whyNot() {
        List<String> why = new ArrayList<>();
        JsonObject state = state();
        if (!state.getBoolean("Running", false)) {
            why.add("it is not running (" + state.getString("Status", "?") + ")");
        } else if (state.getBoolean("Paused", false)) {
            why.add("it is paused");
        }
        String network = DockerEndpoint.whyNot(this);
        if (!network.isEmpty()) {
            why.add(network);
        }
        if (config().getBoolean("Tty", false)) {
            why.add("it has a terminal (-t), which stays with the source's Docker engine");
        }
        for (String mode : List.of("PidMode", "IpcMode", "UTSMode", "UsernsMode")) {
            String value = hostConfig().getString(mode, "");
            if (value.equals("host") || value.startsWith("container:")) {
                why.add(mode + " is '" + value + "': it shares a namespace with something that does not move");
            }
        }
        for (JsonObject mount : mounts()) {
            String type = mount.getString("Type", "?");
            switch (type) {
                case "volume" -> {
                    if (!"local".equals(mount.getString("Driver", "local"))) {
                        why.add("volume '" + mount.getString("Name") + "' uses the '" + mount.getString("Driver")
                                + "' driver; only local volumes move");
                    }
                }
                case "bind", "tmpfs" -> {
                }
                default -> why.add("mount of type '" + type + "' at " + mount.getString("Destination")
                        + " cannot be moved");
            }
        }
        if (!"overlay2".equals(inspect.getString("Driver", ""))) {
            why.add("its storage driver is '" + inspect.getString("Driver", "?") + "'; only overlay2 layers move");
        }
        return String.join("; ", why);
    }

    private JsonObject state() {
        return inspect.getJsonObject("State", new JsonObject());
    }

    private List<JsonObject> mounts() {
        List<JsonObject> mounts = new ArrayList<>();
        inspect.getJsonArray("Mounts", new JsonArray()).forEach(m -> mounts.add((JsonObject) m));
        return mounts;
    }
}
