package io.haul.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Docker engine of its own for one namespace host, as {@code runtime/setup/docker-host.sh} starts it: dockerd in
 * the host's network namespace (its own containerd, shims and runc state under {@link #dir()}, PATH starting with
 * Haul's CRIU), talked to with the docker client over {@link #socket()}. The script does the starting and the
 * stopping (by pid, then what is left by its command line and runc's state files, unmounts, removes the folder);
 * this class drives it and the client.
 *
 * <p>Keep {@code dir} short (under /tmp): containerd's sockets live under it and a socket path has at most 107
 * bytes. {@link #close} removes {@code dir}, keeping a copy of dockerd's log (to its stop) as NAME-dockerd.log in
 * the {@code logs} folder given to {@link #start} (when not null), for people to read after the test.
 */
public final class DockerHost implements AutoCloseable {

    /** The image tests run: the busybox rootfs ({@link BusyboxRootfs}) imported under this reference. */
    public static final String IMAGE = "haul-busybox:1";

    static final long START_SECONDS = 90;
    static final long STOP_SECONDS = 90;
    static final long CLI_SECONDS = 60;
    /** Binaries the engine needs beyond the docker client (which docker-host.sh finds). */
    private static final List<String> TOOLS = List.of("dockerd", "containerd", "containerd-shim-runc-v2", "runc",
            "nsenter", "setsid");

    private static volatile Path cli;

    private final String name;
    private final String netns;
    private final Path dir;
    private final Path logs;
    private final long pid;
    private final long pidStart;
    private final List<Procs.Task> containers = new ArrayList<>();
    private boolean closed;

    private DockerHost(String name, String netns, Path dir, Path logs, long pid) {
        this.name = name;
        this.netns = netns;
        this.dir = dir;
        this.logs = logs;
        this.pid = pid;
        this.pidStart = Procs.task(pid).map(Procs.Task::startTicks).orElse(-1L);
    }

    static Path home() {
        return Path.of(System.getProperty("haul.home", "..")).toAbsolutePath().normalize();
    }

    static Path script() {
        return home().resolve("runtime/setup/docker-host.sh");
    }

    /** What the host lacks to run a Docker engine per namespace host (binaries only), empty when nothing. */
    public static List<String> missing() {
        List<String> missing = new ArrayList<>();
        for (String tool : TOOLS) {
            if (Commands.which(tool) == null) {
                missing.add("no " + tool);
            }
        }
        if (!missing.isEmpty()) {
            missing.add("(packages docker.io, containerd, runc, util-linux: runtime/setup/install-packages.sh)");
        }
        if (dockerClient().isEmpty()) {
            missing.add("no docker client (/usr/bin/docker of docker.io, or /usr/local/bin/docker)");
        }
        String busybox = BusyboxRootfs.unmet();
        if (busybox != null) {
            missing.add(busybox);
        }
        return missing;
    }

    /** Why Docker tests cannot run here (not root, no dockerd, runc, busybox, no Haul CRIU), or null. */
    public static String unmet() {
        List<String> why = new ArrayList<>();
        if (!Requirements.isRoot()) {
            why.add("not root");
        }
        if (!Files.isExecutable(Requirements.CRIU)) {
            why.add("no CRIU at " + Requirements.CRIU + " (./haul setup installs it)");
        }
        why.addAll(missing());
        return why.isEmpty() ? null : String.join("; ", why);
    }

    /** The docker client the engines are used with ({@code docker-host.sh cli} says which), if any. */
    public static Optional<Path> dockerClient() {
        if (cli == null) {
            try {
                Commands.Result result = Commands.run(List.of(script().toString(), "cli"), CLI_SECONDS);
                if (result.exitCode() != 0) {
                    return Optional.empty();
                }
                cli = Path.of(result.stdout().strip());
            } catch (IOException e) {
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.of(cli);
    }

    /**
     * Starts dockerd for host {@code name} in network namespace {@code netns} (/run/netns/NETNS), keeping everything
     * in {@code dir}, and returns once it answers. {@code logs}: where {@link #close} copies dockerd's log, or null.
     */
    public static DockerHost start(String name, String netns, Path dir, Path logs)
            throws IOException, InterruptedException {
        Path absolute = dir.toAbsolutePath().normalize();
        Commands.Result result = TwoHostCluster.run(List.of(script().toString(), "start", name, netns,
                absolute.toString()), START_SECONDS, Map.of());
        String out = result.stdout().strip();
        long pid;
        try {
            pid = Long.parseLong(out);
        } catch (NumberFormatException e) {
            throw new AssertionError("docker-host.sh start printed no pid: " + result.output());
        }
        return new DockerHost(name, netns, absolute, logs, pid);
    }

    public String name() {
        return name;
    }

    /** The network namespace it runs in (its name under /run/netns). */
    public String netns() {
        return netns;
    }

    public Path dir() {
        return dir;
    }

    /** dockerd's pid. */
    public long pid() {
        return pid;
    }

    public Path socket() {
        return dir.resolve("docker.sock");
    }

    public Path log() {
        return dir.resolve("dockerd.log");
    }

    /** {@code docker --host unix://SOCKET ARGS}, bounded by {@value #CLI_SECONDS} s. */
    public Commands.Result cli(String... args) throws IOException, InterruptedException {
        return cli(List.of(args));
    }

    public Commands.Result cli(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(dockerClient().orElseThrow(
                () -> new AssertionError("no docker client")).toString(), "--host", "unix://" + socket()));
        command.addAll(args);
        return Commands.run(command, CLI_SECONDS);
    }

    /** {@link #cli} that must succeed; returns its standard output, stripped. */
    public String cliOk(String... args) throws IOException, InterruptedException {
        Commands.Result result = cli(args);
        if (result.exitCode() != 0) {
            throw new AssertionError("docker " + String.join(" ", args) + " on " + name + " failed (" + result.exitCode()
                    + "): " + result.output());
        }
        return result.stdout().strip();
    }

    /** The engine's version, as it answers it (e.g. 20.10.24+dfsg1). */
    public String serverVersion() throws IOException, InterruptedException {
        return cliOk("version", "--format", "{{.Server.Version}}");
    }

    /** {@code docker import TARBALL REFERENCE}; returns the image id (sha256:...). */
    public String importImage(Path tarball, String reference) throws IOException, InterruptedException {
        cliOk("import", tarball.toString(), reference);
        return imageId(reference);
    }

    /** {@link #importImage(Path, String)} of a busybox rootfs as {@link #IMAGE}. */
    public String importImage(BusyboxRootfs rootfs) throws IOException, InterruptedException {
        return importImage(rootfs.tarball(), IMAGE);
    }

    /**
     * Gives this engine {@code from}'s image {@code reference} with the same id ({@code docker save} there,
     * {@code docker load} here: importing the tarball again would give another id). Returns the id.
     */
    public String loadSameImage(DockerHost from, String reference) throws IOException, InterruptedException {
        Path saved = dir.resolve("image-" + reference.replaceAll("[^A-Za-z0-9_.-]", "_") + ".tar");
        try {
            from.cliOk("save", "-o", saved.toString(), reference);
            cliOk("load", "-i", saved.toString());
        } finally {
            Files.deleteIfExists(saved);
        }
        String id = imageId(reference);
        String theirs = from.imageId(reference);
        if (!id.equals(theirs)) {
            throw new AssertionError(reference + " loaded on " + name + " as " + id + ", but it is " + theirs + " on "
                    + from.name);
        }
        return id;
    }

    /** {@link #loadSameImage(DockerHost, String)} of {@link #IMAGE}. */
    public String loadSameImage(DockerHost from) throws IOException, InterruptedException {
        return loadSameImage(from, IMAGE);
    }

    public String imageId(String reference) throws IOException, InterruptedException {
        return cliOk("image", "inspect", "--format", "{{.Id}}", reference);
    }

    /**
     * {@code docker run -d --name CONTAINER --network none [-v VOLUME:/data] IMAGE COMMAND}: {@code volume} a named
     * volume (mounted at /data), or "NAME:/PATH", or null for none. Returns the container's id.
     */
    public String run(String container, String volume, String... command) throws IOException, InterruptedException {
        List<String> options = new ArrayList<>(List.of("--network", "none"));
        if (volume != null) {
            options.addAll(List.of("-v", volume.contains(":") ? volume : volume + ":/data"));
        }
        return run(container, options, IMAGE, command);
    }

    /** {@code docker run -d --name CONTAINER OPTIONS IMAGE COMMAND}; returns the container's id. */
    public String run(String container, List<String> options, String image, String... command)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", container));
        args.addAll(options);
        args.add(image);
        args.addAll(List.of(command));
        String id = cliOk(args.toArray(String[]::new));
        long root = containerPid(container);
        Procs.task(root).ifPresent(containers::add);
        return id;
    }

    /** The container's root process (in this machine's PID namespace), 0 when it does not run. */
    public long containerPid(String container) throws IOException, InterruptedException {
        return Long.parseLong(cliOk("inspect", "--format", "{{.State.Pid}}", container));
    }

    /** The container's state: created, running, paused, exited... */
    public String containerStatus(String container) throws IOException, InterruptedException {
        return cliOk("inspect", "--format", "{{.State.Status}}", container);
    }

    /** Where a named volume's files are on this machine. */
    public Path volumePath(String volume) throws IOException, InterruptedException {
        return Path.of(cliOk("volume", "inspect", "--format", "{{.Mountpoint}}", volume));
    }

    /** The engine's own processes now: dockerd, its containerd, the shims (their command lines name the folder). */
    public List<Procs.Task> processes() {
        return Procs.withCommandLineContaining(dir + "/");
    }

    /**
     * What of this engine still runs: its processes ({@link #processes}) and the containers {@link #run} started
     * (the same pid and start time). Empty after {@link #close}.
     */
    public List<Procs.Task> leftovers() {
        List<Procs.Task> left = new ArrayList<>(processes());
        for (Procs.Task container : containers) {
            Procs.task(container.pid()).filter(now -> now.startTicks() == container.startTicks()).ifPresent(left::add);
        }
        Procs.task(pid).filter(now -> now.startTicks() == pidStart && !left.contains(now)).ifPresent(left::add);
        return left;
    }

    /** Mount points under the folder (overlays, network namespace files) in this mount namespace. */
    public List<String> mounts() throws IOException {
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String point = line.split(" ")[4];
            if (point.equals(dir.toString()) || point.startsWith(dir + "/")) {
                mounts.add(point);
            }
        }
        return mounts;
    }

    /**
     * Stops the engine (docker-host.sh stop: every container, dockerd by pid, containerd and shims, unmounts) and
     * removes its folder, keeping a copy of dockerd's log in the logs folder. Fails if that fails.
     */
    @Override
    public void close() throws IOException, InterruptedException {
        if (closed) {
            return;
        }
        List<String> stop = new ArrayList<>(List.of(script().toString(), "stop", dir.toString()));
        if (logs != null) {
            stop.add(logs.resolve(name + "-dockerd.log").toString());
        }
        TwoHostCluster.run(stop, STOP_SECONDS, Map.of());
        closed = true; // not before: a stop that failed is tried again by the next close
    }

    /**
     * Waits until the number the container writes to /counter (ten times a second, in the test containers) is above
     * {@code floor}, and returns it: the container runs, with its count from where it was. Polled: no event says it
     * wrote.
     */
    public long awaitCounterAbove(String container, long floor) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        long value = -1;
        while (System.nanoTime() < deadline) {
            Commands.Result read = cli("exec", container, "cat", "/counter");
            if (read.exitCode() == 0 && !read.stdout().isBlank()) {
                value = Long.parseLong(read.stdout().strip());
                if (value > floor) {
                    return value;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError(container + " on " + this + ": counter still " + value + ", not above " + floor);
    }

    @Override
    public String toString() {
        return "docker host " + name + " (dockerd " + pid + " in " + netns + ", " + dir + ")";
    }
}
