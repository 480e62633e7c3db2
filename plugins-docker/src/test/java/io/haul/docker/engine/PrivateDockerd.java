package io.haul.docker.engine;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Test glue: a Docker engine of the test's own, in a fresh folder under /tmp (short: runc's and containerd's
 * socket paths under the exec root must stay short), with no network of its own, checkpoints enabled
 * (--experimental, Haul's CRIU first in its PATH) and the image {@value #IMAGE}: busybox alone. Skips the
 * calling test, saying why, unless it runs as root with dockerd installed. Closing it stops the engine by its
 * pid, makes sure its containerd, shims and containers are gone, unmounts what is left under the folder and
 * deletes it.
 */
public final class PrivateDockerd implements AutoCloseable {

    static final Path DOCKERD = Path.of("/usr/sbin/dockerd");
    static final Path BUSYBOX = Path.of("/bin/busybox");
    static final Path CRIU = Path.of("/opt/haul/criu/bin/criu");
    public static final String IMAGE = "haul-test:1";

    private static final Duration READY_WITHIN = Duration.ofSeconds(30);
    private static final Duration STOP_WITHIN = Duration.ofSeconds(15);

    private final Path dir;
    private final Process dockerd;
    private final Vertx vertx;
    private final DockerEngine engine;

    private PrivateDockerd(Path dir, Process dockerd, Vertx vertx) {
        this.dir = dir;
        this.dockerd = dockerd;
        this.vertx = vertx;
        this.engine = new DockerEngine(socket(), vertx);
    }

    /** Skips the calling test unless this can run; otherwise starts the engine and imports the image. */
    public static PrivateDockerd start() throws Exception {
        assume(uid() == 0, "not root (dockerd needs root)");
        assume(Files.isExecutable(DOCKERD), DOCKERD + " is missing (apt-get install docker.io)");
        assume(Files.isExecutable(BUSYBOX), BUSYBOX + " is missing (apt-get install busybox-static)");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "hdk-");
        Files.writeString(dir.resolve("daemon.json"), "{}\n");
        ProcessBuilder builder = new ProcessBuilder(DOCKERD.toString(),
                "--config-file", dir.resolve("daemon.json").toString(),
                "--experimental", "--bridge=none", "--iptables=false", "--ip-masq=false", "--ip6tables=false",
                "--userland-proxy=false", "--shutdown-timeout", "2", "--storage-driver", "overlay2",
                "--data-root", dir.resolve("data").toString(),
                "--exec-root", dir.resolve("exec").toString(),
                "--pidfile", dir.resolve("docker.pid").toString(),
                "-H", "unix://" + dir.resolve("docker.sock"));
        builder.environment().put("PATH", CRIU.getParent() + ":" + System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
        builder.redirectErrorStream(true).redirectOutput(dir.resolve("dockerd.log").toFile());
        PrivateDockerd fixture = new PrivateDockerd(dir, builder.start(), Vertx.vertx());
        try {
            fixture.awaitReady();
            fixture.importImage();
            return fixture;
        } catch (Exception | AssertionError e) {
            fixture.close();
            throw e;
        }
    }

    Path dir() {
        return dir;
    }

    public Path socket() {
        return dir.resolve("docker.sock");
    }

    /** A client of this engine, on the fixture's Vert.x; the fixture closes it. */
    public DockerEngine engine() {
        return engine;
    }

    public Vertx vertx() {
        return vertx;
    }

    /** The readiness event: the engine answers /_ping (polled, with a bound). */
    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        DockerException last = null;
        while (System.nanoTime() < deadline) {
            if (!dockerd.isAlive()) {
                throw new IllegalStateException("dockerd exited with " + dockerd.exitValue() + " before answering:\n" + logTail());
            }
            try {
                engine.ping();
                return;
            } catch (DockerException e) {
                last = e;
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("dockerd did not answer within " + READY_WITHIN.toSeconds() + " s ("
                + (last == null ? "" : last.getMessage()) + "):\n" + logTail());
    }

    /** A root file system of busybox and a few of its names, imported as {@value #IMAGE}. */
    private void importImage() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("rootfs/bin"));
        Files.copy(BUSYBOX, bin.resolve("busybox"));
        for (String name : List.of("sh", "sleep", "cat", "echo")) {
            Files.createSymbolicLink(bin.resolve(name), Path.of("busybox"));
        }
        Files.createDirectories(dir.resolve("rootfs/tmp"));
        Path tar = dir.resolve("rootfs.tar");
        run("tar", "-C", dir.resolve("rootfs").toString(), "-cf", tar.toString(), ".");
        String repo = IMAGE.substring(0, IMAGE.indexOf(':'));
        String tag = IMAGE.substring(IMAGE.indexOf(':') + 1);
        try (EngineHttp http = new EngineHttp(socket(), vertx, Duration.ofSeconds(5))) {
            EngineHttp.Reply reply = http.exchange(HttpMethod.POST,
                    "/v" + engine.requestApiVersion() + "/images/create?fromSrc=-&repo=" + repo + "&tag=" + tag,
                    "application/x-tar", Buffer.buffer(Files.readAllBytes(tar)), Duration.ofSeconds(30));
            // a stream of JSON progress objects, where a failure is an "error" member, not a status
            String progress = reply.body().toString(StandardCharsets.UTF_8);
            if (!reply.ok() || progress.contains("\"error\"")) {
                throw new IllegalStateException("importing " + IMAGE + " failed: " + reply.status() + " " + progress);
            }
        }
    }

    @Override
    public void close() {
        engine.close();
        try {
            stop();
            killLeftovers();
            unmountUnder();
            delete(dir);
        } catch (Exception e) {
            throw new IllegalStateException("tearing down the private dockerd in " + dir + " failed", e);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
    }

    /** SIGTERM, then SIGKILL after a bound: dockerd stops its containers (2 s each at most) and its containerd. */
    private void stop() throws InterruptedException {
        dockerd.destroy();
        if (!dockerd.waitFor(STOP_WITHIN.toSeconds(), TimeUnit.SECONDS)) {
            System.out.println("private dockerd " + dockerd.pid() + " did not stop within " + STOP_WITHIN.toSeconds()
                    + " s of SIGTERM: SIGKILL");
            dockerd.destroyForcibly();
            dockerd.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /**
     * What dockerd left behind, if anything: processes naming the folder (its containerd, the shims, which
     * are not its children) with their descendants, and the processes of its containers' cgroups.
     */
    private void killLeftovers() throws IOException, InterruptedException {
        Map<Long, ProcessHandle> left = new LinkedHashMap<>();
        String mark = dir.toString() + "/";
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            all.filter(p -> p.pid() != ProcessHandle.current().pid() && cmdline(p.pid()).contains(mark)).forEach(p -> {
                p.descendants().forEach(d -> left.put(d.pid(), d));
                left.put(p.pid(), p);
            });
        }
        List<Path> cgroups = containerCgroups();
        for (Path cgroup : cgroups) {
            for (String pid : readLines(cgroup.resolve("cgroup.procs"))) {
                ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(p -> left.putIfAbsent(p.pid(), p));
            }
        }
        for (ProcessHandle p : left.values()) {
            System.out.println("private dockerd left pid " + p.pid() + " (" + cmdline(p.pid()).replace('\0', ' ').strip() + "): SIGKILL");
            p.destroyForcibly();
        }
        for (ProcessHandle p : left.values()) {
            p.onExit().orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
        for (Path cgroup : cgroups) {
            try {
                Files.deleteIfExists(cgroup);
            } catch (IOException e) {
                System.out.println("could not remove the cgroup " + cgroup + ": " + e);
            }
        }
    }

    /** The cgroups (v1 controllers or v2) named by the ids of the engine's containers, where they still exist. */
    private List<Path> containerCgroups() throws IOException {
        List<Path> found = new ArrayList<>();
        Path containers = dir.resolve("data/containers");
        if (!Files.isDirectory(containers)) {
            return found;
        }
        List<Path> roots = new ArrayList<>();
        try (Stream<Path> controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
            controllers.filter(Files::isDirectory).forEach(roots::add);
        }
        roots.add(Path.of("/sys/fs/cgroup"));
        try (Stream<Path> ids = Files.list(containers)) {
            for (Path id : ids.toList()) {
                for (Path root : roots) {
                    Path cgroup = root.resolve("docker").resolve(id.getFileName().toString());
                    if (Files.isRegularFile(cgroup.resolve("cgroup.procs"))) {
                        found.add(cgroup);
                    }
                }
            }
        }
        return found;
    }

    /** Unmounts every mount left under the folder, deepest first. */
    private void unmountUnder() throws IOException, InterruptedException {
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String point = unescape(line.split(" ")[4]);
            if (point.startsWith(dir + "/")) {
                mounts.add(point);
            }
        }
        mounts.sort(Comparator.comparingInt(String::length).reversed());
        for (String point : mounts) {
            System.out.println("private dockerd left a mount on " + point + ": unmounting it");
            if (run("umount", point) != 0) {
                run("umount", "-l", point);
            }
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("dockerd.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = process.waitFor();
        if (status != 0) {
            System.out.println(String.join(" ", command) + " failed (" + status + "): " + output.strip());
        }
        return status;
    }

    private static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            return List.of(); // the cgroup went away meanwhile
        }
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static void assume(boolean condition, String why) {
        if (!condition) {
            System.out.println("SKIPPED: " + why);
            Assumptions.assumeTrue(false, why);
        }
    }

    static long uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).strip().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown: treat as not root
        }
        return -1;
    }
}
