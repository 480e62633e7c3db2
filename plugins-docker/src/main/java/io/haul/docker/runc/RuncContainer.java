package io.haul.docker.runc;

import io.haul.api.ContainerRef;
import io.haul.api.backend.ContainerInfo;
import io.haul.host.proc.Namespaces;
import io.haul.host.proc.ProcessTree;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A runc container from its state ({@code runc state}) and its bundle's config.json, and what the runc backend
 * can move of it: a running container without a terminal, with its own PID, mount and network namespaces (none
 * joined from outside), whose bind-mounted folders are on storage both hosts share.
 */
record RuncContainer(JsonObject state, JsonObject config) {

    static final String BACKEND = "runc";

    static RuncContainer of(JsonObject state) {
        JsonObject config;
        try {
            config = new JsonObject(Files.readString(Path.of(state.getString("bundle", "")).resolve("config.json")));
        } catch (IOException | RuntimeException e) { // DecodeException among them
            config = new JsonObject(); // whyNot() names the missing configuration
        }
        return new RuncContainer(state, config);
    }

    String id() {
        return state.getString("id");
    }

    long pid() {
        return state.getLong("pid", 0L);
    }

    String bundle() {
        return state.getString("bundle", "");
    }

    /** The root file system on this host, as runc resolved it. */
    Path rootfs() {
        return Path.of(state.getString("rootfs", ""));
    }

    /** Host folders the container bind-mounts: they stay where they are, so both hosts must share them. */
    List<String> sharedFolders() {
        List<String> folders = new ArrayList<>();
        for (Object item : config.getJsonArray("mounts", new JsonArray())) {
            JsonObject mount = (JsonObject) item;
            boolean bind = "bind".equals(mount.getString("type")) || mount.getJsonArray("options", new JsonArray())
                    .contains("bind") || mount.getJsonArray("options", new JsonArray()).contains("rbind");
            String source = mount.getString("source", "");
            if (bind && source.startsWith("/") && !source.startsWith("/dev") && !source.startsWith("/proc")
                    && !source.startsWith("/sys")) {
                folders.add(source);
            }
        }
        return folders;
    }

    ContainerInfo info() {
        String whyNot = whyNot();
        long pid = pid();
        List<Long> tasks = pid > 0 ? ProcessTree.processes(pid) : List.of();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("status", state.getString("status", "?"));
        details.put("bundle", bundle());
        JsonArray args = config.getJsonObject("process", new JsonObject()).getJsonArray("args", new JsonArray());
        List<String> words = new ArrayList<>();
        args.forEach(a -> words.add(String.valueOf(a)));
        return new ContainerInfo(new ContainerRef(BACKEND, id()), pid, String.join(" ", words), tasks.size(),
                ProcessTree.residentBytes(tasks), pid > 0 ? Namespaces.system().ownKindsOrNone(pid) : Set.of(),
                whyNot.isEmpty(), whyNot, details);
    }

    String whyNot() {
        List<String> why = new ArrayList<>();
        String status = state.getString("status", "?");
        if (!"running".equals(status)) {
            why.add("it is " + status);
        }
        if (config.isEmpty()) {
            why.add("its bundle's config.json cannot be read (" + bundle() + ")");
            return String.join("; ", why);
        }
        if (config.getJsonObject("process", new JsonObject()).getBoolean("terminal", false)) {
            why.add("it has a terminal, which stays with the source");
        }
        List<String> own = new ArrayList<>();
        JsonArray namespaces = config.getJsonObject("linux", new JsonObject()).getJsonArray("namespaces", new JsonArray());
        for (Object item : namespaces) {
            JsonObject namespace = (JsonObject) item;
            String type = namespace.getString("type", "?");
            if (namespace.getString("path", "").isEmpty()) {
                own.add(type);
            } else {
                why.add("it joins the " + type + " namespace at " + namespace.getString("path") + ", which does not move");
            }
        }
        for (String needed : List.of("pid", "mount", "network")) {
            if (!own.contains(needed)) {
                why.add("it shares the host's " + needed + " namespace");
            }
        }
        return String.join("; ", why);
    }
}
