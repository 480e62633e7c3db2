package io.haul.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * runc (OCI) containers of one namespace host: a runc state root of its own ({@code runc --root}), OCI bundles
 * made from the busybox rootfs, containers run detached in the host's network namespace ({@code nsenter --net}),
 * with PATH starting with Haul's CRIU (runc execs {@code criu} to checkpoint).
 *
 * <p>Folder layout: {@code dir/root} (runc's state), {@code dir/bundles/ID} (config.json, rootfs/),
 * {@code dir/logs/ID.log} (runc's own log of that container's commands), {@code dir/ID.pid}. A container's stdio is
 * /dev/null: one whose stdout is a file of the host cannot be checkpointed. {@link #close} deletes every container
 * (SIGKILL), kills what is left of those it ran (by pid and start time) and removes the folder.
 */
public final class RuncHost implements AutoCloseable {

    static final long RUNC_SECONDS = 60;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final String netns;
    private final Path dir;
    private final Map<String, Procs.Task> started = new LinkedHashMap<>();
    private boolean closed;

    /**
     * A runc host named {@code name} whose containers run from network namespace {@code netns}, keeping its state in
     * {@code dir} (created).
     */
    public RuncHost(String name, String netns, Path dir) throws IOException {
        this.name = name;
        this.netns = netns;
        this.dir = dir.toAbsolutePath().normalize();
        Files.createDirectories(root());
        Files.createDirectories(this.dir.resolve("bundles"));
        Files.createDirectories(this.dir.resolve("logs"));
    }

    /** Why runc containers cannot run here (not root, no runc, nsenter or static busybox), or null. */
    public static String unmet() {
        List<String> why = new ArrayList<>();
        if (!Requirements.isRoot()) {
            why.add("not root");
        }
        for (String tool : List.of("runc", "nsenter")) {
            if (Commands.which(tool) == null) {
                why.add("no " + tool);
            }
        }
        String busybox = BusyboxRootfs.unmet();
        if (busybox != null) {
            why.add(busybox);
        }
        return why.isEmpty() ? null : String.join("; ", why);
    }

    public String name() {
        return name;
    }

    public String netns() {
        return netns;
    }

    public Path dir() {
        return dir;
    }

    /** runc's state root ({@code runc --root}). */
    public Path root() {
        return dir.resolve("root");
    }

    /** The PATH runc runs with: Haul's CRIU first, then the system's binaries. */
    static String path() {
        return Requirements.CRIU.getParent() + ":/usr/sbin:/usr/bin:/sbin:/bin";
    }

    private List<String> runc(String... args) {
        List<String> command = new ArrayList<>(List.of("env", "PATH=" + path(), Commands.which("runc").toString(),
                "--root", root().toString()));
        command.addAll(List.of(args));
        return command;
    }

    /** {@code runc --root ROOT ARGS} in the caller's namespaces, bounded by {@value #RUNC_SECONDS} s. */
    public Commands.Result runc(List<String> args) throws IOException, InterruptedException {
        return Commands.run(runc(args.toArray(String[]::new)), RUNC_SECONDS);
    }

    private String runcOk(String... args) throws IOException, InterruptedException {
        Commands.Result result = runc(List.of(args));
        if (result.exitCode() != 0) {
            throw new AssertionError("runc " + String.join(" ", args) + " on " + name + " failed (" + result.exitCode()
                    + "): " + result.output());
        }
        return result.stdout();
    }

    /**
     * Makes the OCI bundle {@code dir/bundles/ID}: {@code rootfs} unpacked into it, config.json from
     * {@code runc spec} with {@code args} as the process (no terminal), a writable root, hostname ID, the namespaces
     * pid, ipc, uts, mount and a new, empty network one, and cgroup path /haul-NAME-ID (two hosts on one machine
     * may hold containers of the same id). Returns the bundle's folder.
     */
    public Path bundle(String id, BusyboxRootfs rootfs, String... args) throws IOException, InterruptedException {
        Path bundle = dir.resolve("bundles").resolve(id);
        if (Files.exists(bundle)) {
            throw new IllegalStateException("bundle " + bundle + " exists");
        }
        Files.createDirectories(bundle);
        rootfs.unpackTo(bundle.resolve("rootfs"));
        Commands.Result spec = Commands.run(List.of(Commands.which("runc").toString(), "spec", "--bundle",
                bundle.toString()), RUNC_SECONDS);
        if (spec.exitCode() != 0) {
            throw new AssertionError("runc spec failed: " + spec.output());
        }
        Path config = bundle.resolve("config.json");
        ObjectNode json = (ObjectNode) JSON.readTree(config.toFile());
        ObjectNode process = (ObjectNode) json.get("process");
        process.put("terminal", false);
        ArrayNode argv = process.putArray("args");
        for (String arg : args) {
            argv.add(arg);
        }
        ((ObjectNode) json.get("root")).put("readonly", false);
        json.put("hostname", id);
        ObjectNode linux = (ObjectNode) json.get("linux");
        ArrayNode namespaces = linux.putArray("namespaces");
        for (String type : List.of("pid", "ipc", "uts", "mount", "network")) {
            namespaces.addObject().put("type", type);
        }
        linux.put("cgroupsPath", "/haul-" + name + "-" + id);
        JSON.writerWithDefaultPrettyPrinter().writeValue(config.toFile(), json);
        return bundle;
    }

    /**
     * {@code nsenter --net=/run/netns/NETNS runc --root ROOT run -d --pid-file P --bundle BUNDLE ID}, stdio
     * /dev/null; returns the container's init pid once runc returned.
     */
    public long run(String id, Path bundle) throws IOException, InterruptedException {
        Path pidFile = dir.resolve(id + ".pid");
        Path log = dir.resolve("logs").resolve(id + ".log");
        List<String> command = new ArrayList<>(List.of(Commands.which("nsenter").toString(),
                "--net=/run/netns/" + netns, "env", "PATH=" + path(), Commands.which("runc").toString(),
                "--root", root().toString(), "--log", log.toString(), "--log-format", "text",
                "run", "-d", "--pid-file", pidFile.toString(), "--bundle", bundle.toString(), id));
        File devNull = new File("/dev/null");
        Process runc = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(devNull))
                .redirectOutput(ProcessBuilder.Redirect.to(devNull))
                .redirectError(ProcessBuilder.Redirect.to(devNull))
                .start();
        if (!runc.waitFor(RUNC_SECONDS, TimeUnit.SECONDS)) {
            runc.destroyForcibly();
            runc.waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError("runc run " + id + " did not return within " + RUNC_SECONDS + " s");
        }
        if (runc.exitValue() != 0 || !Files.isRegularFile(pidFile)) {
            throw new AssertionError("runc run " + id + " on " + name + " failed (" + runc.exitValue() + "): "
                    + (Files.isRegularFile(log) ? Files.readString(log) : "no log"));
        }
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        Procs.Task task = Procs.task(pid).orElseThrow(() -> new AssertionError("runc run " + id + " on " + name
                + " returned, but its init " + pid + " is gone"));
        started.put(id, task);
        return pid;
    }

    /** {@code runc state ID}: id, pid, status, bundle... */
    public JsonNode state(String id) throws IOException, InterruptedException {
        return JSON.readTree(runcOk("state", id));
    }

    /** created, running, paused or stopped. */
    public String status(String id) throws IOException, InterruptedException {
        return state(id).path("status").asText();
    }

    /** The container's init pid, 0 when it is stopped. */
    public long pid(String id) throws IOException, InterruptedException {
        return state(id).path("pid").asLong();
    }

    /** The ids of the containers in this host's state root. */
    public List<String> list() throws IOException, InterruptedException {
        List<String> ids = new ArrayList<>();
        for (String line : runcOk("list", "-q").split("\n")) {
            if (!line.isBlank()) {
                ids.add(line.strip());
            }
        }
        return ids;
    }

    /** {@code runc kill ID SIGNAL} (e.g. KILL, TERM). */
    public void kill(String id, String signal) throws IOException, InterruptedException {
        runcOk("kill", id, signal);
    }

    /** {@code runc delete --force ID}: kills it if it runs, removes its state and cgroups. */
    public void delete(String id) throws IOException, InterruptedException {
        runcOk("delete", "--force", id);
    }

    /** The containers {@link #run} started that still run (the same pid and start time). */
    public List<Procs.Task> leftovers() {
        List<Procs.Task> left = new ArrayList<>();
        for (Procs.Task task : started.values()) {
            Procs.task(task.pid()).filter(now -> now.startTicks() == task.startTicks()).ifPresent(left::add);
        }
        left.addAll(Procs.withCommandLineContaining(root().toString()));
        return left;
    }

    /**
     * Deletes every container of the state root ({@code runc delete --force}), SIGKILLs what is left of those
     * {@link #run} started, and removes the folder. Fails when something survives.
     */
    @Override
    public void close() throws IOException, InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        List<String> problems = new ArrayList<>();
        if (Files.isDirectory(root())) {
            for (String id : list()) {
                Commands.Result result = runc(List.of("delete", "--force", id));
                if (result.exitCode() != 0) {
                    problems.add("runc delete --force " + id + ": " + result.output().strip());
                }
            }
        }
        for (Procs.Task task : started.values()) {
            Procs.task(task.pid()).filter(now -> now.startTicks() == task.startTicks())
                    .flatMap(now -> ProcessHandle.of(now.pid())).ifPresent(ProcessHandle::destroyForcibly);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!leftovers().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        List<Procs.Task> left = leftovers();
        if (!left.isEmpty()) {
            problems.add("still running: " + left);
        }
        HaulRuntime.deleteTree(dir);
        if (Files.exists(dir)) {
            problems.add(dir + " could not be removed");
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("closing runc host " + name + ": " + String.join("; ", problems));
        }
    }

    @Override
    public String toString() {
        return "runc host " + name + " (" + netns + ", " + dir + ")";
    }
}
