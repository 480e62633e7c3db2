package io.haul.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.haul.itests.Requirements.HostNeeds;
import io.haul.itests.Requirements.Need;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Docker and runc containers moved between two hosts as a user does it: a Docker engine and a runc state root
 * on each host, the plugin jar copied into each agent's deploy folder, then {@code ./haul migrate docker:NAME --to
 * hostB}, and everything checked through the engines and runc, from outside the agents.
 */
@HostNeeds({Need.ROOT, Need.UNSHARE, Need.CRIU, Need.DOCKER})
public class DockerMigrationIT {

    private static final double MIGRATE_SECONDS = 180;
    private static final long BACKEND_SECONDS = 60;
    /** Writes a counter kept in the shell's memory to the writable layer and the volume ten times a second. */
    private static final String COUNTER = "echo $RANDOM > /born-here; nc -ll -p 7000 -e cat & i=0; "
            + "while true; do i=$((i+1)); echo $i > /counter; echo $i > /data/counter; sleep 0.1; done";

    private static TwoHostCluster cluster;
    private static Path base;
    private static DockerHost dockerA;
    private static DockerHost dockerB;
    private static RuncHost runcA;
    private static RuncHost runcB;
    private static BusyboxRootfs rootfs;

    private String container;

    @BeforeClass
    public static void startHosts() throws Exception {
        cluster = TwoHostCluster.start(DockerMigrationIT.class, new TwoHostCluster.Options());
        try {
            base = Files.createTempDirectory(Path.of("/tmp"), "haul-dm-"); // short: containerd's socket paths
            rootfs = BusyboxRootfs.make(base.resolve("busybox"));
            dockerA = DockerHost.start("dmA", cluster.a.name, base.resolve("A"), cluster.work);
            dockerB = DockerHost.start("dmB", cluster.b.name, base.resolve("B"), cluster.work);
            dockerA.importImage(rootfs);
            dockerB.loadSameImage(dockerA);
            runcA = new RuncHost("rcA", cluster.a.name, base.resolve("runcA"));
            runcB = new RuncHost("rcB", cluster.b.name, base.resolve("runcB"));
            configure(cluster.a, dockerA, runcA);
            configure(cluster.b, dockerB, runcB);
            for (TwoHostCluster.Agent agent : List.of(cluster.a, cluster.b)) {
                deployPlugin(agent);
                awaitBackends(agent, true);
            }
        } catch (Throwable e) {
            stopHosts();
            throw e;
        }
    }

    @AfterClass
    public static void stopHosts() throws Exception {
        for (AutoCloseable host : new AutoCloseable[] {runcA, runcB, dockerA, dockerB}) {
            if (host != null) {
                host.close();
            }
        }
        if (cluster != null) {
            cluster.close();
        }
        if (base != null) {
            Commands.run(List.of("rm", "-rf", "--one-file-system", base.toString()), 60);
        }
    }

    @After
    public void removeContainer() throws Exception {
        if (container != null) {
            dockerA.cli("rm", "-f", container);
            dockerB.cli("rm", "-f", container);
        }
    }

    /** The agent's configuration names its host's engine and runc root; FileInstall hands it to the backends. */
    private static void configure(TwoHostCluster.Agent agent, DockerHost docker, RuncHost runc) throws IOException {
        Files.writeString(agent.state.resolve("etc/haul.docker.cfg"), "socket=" + docker.socket() + "\n");
        // both hosts share this machine's cgroup tree: the restored copy must not join the frozen source's cgroup
        Files.writeString(agent.state.resolve("etc/haul.runc.cfg"), "root=" + runc.root() + "\nbundles="
                + base.resolve("bundles-" + agent.name) + "\ncgroupsParent=/haul-moved-" + agent.name + "\n");
    }

    private static Path pluginJar() {
        Path jar = Path.of(System.getProperty("haul.docker.jar", ""));
        assertTrue("the docker plugin jar " + jar + " exists (build first)", Files.isRegularFile(jar));
        return jar;
    }

    /** Copies the plugin jar into the deploy folder in one step, as a user's cp then mv would. */
    private static void deployPlugin(TwoHostCluster.Agent agent) throws IOException {
        Path staging = agent.state.resolve("plugin-docker.jar.part");
        Files.copy(pluginJar(), staging, StandardCopyOption.REPLACE_EXISTING);
        Files.move(staging, agent.state.resolve("deploy/plugin-docker.jar"), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Waits until the agent lists (or no longer lists) docker and runc as usable backends; polled, no event. */
    private static void awaitBackends(TwoHostCluster.Agent agent, boolean present) throws Exception {
        long deadline = System.nanoTime() + BACKEND_SECONDS * 1_000_000_000L;
        JsonNode backends = null;
        while (System.nanoTime() < deadline) {
            backends = cluster.json(agent, "backends", "--json");
            boolean docker = usable(backends, "docker");
            boolean runc = usable(backends, "runc");
            if (present ? docker && runc : !listed(backends, "docker") && !listed(backends, "runc")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(agent.name + ": docker and runc " + (present ? "usable" : "gone") + " within "
                + BACKEND_SECONDS + " s; backends now: " + backends + "\nagent log:\n" + agent.logText());
    }

    private static boolean listed(JsonNode backends, String name) {
        return backends.findParents("name").stream().anyMatch(n -> n.path("name").asText().equals(name));
    }

    private static boolean usable(JsonNode backends, String name) {
        return backends.findParents("name").stream().anyMatch(n -> n.path("name").asText().equals(name)
                && n.path("usable").asBoolean());
    }

    private static long counter(DockerHost host, String name, String file) throws Exception {
        return Long.parseLong(host.cliOk("exec", name, "cat", file).strip());
    }

    /**
     * Nothing of the checkpoint the container started from stays on B: not in the container's own folder, where
     * Docker would keep it, nor containerd's unpacked copy in its temporary directory (both the container's memory).
     */
    private static void assertNoCheckpointLeftOnB(String migrationId, String name) throws Exception {
        String hold = "/run/haul/hold/restore-" + migrationId;
        List<Path> copies;
        try (Stream<Path> temp = Files.list(Path.of("/tmp"))) {
            copies = temp.filter(p -> p.getFileName().toString().startsWith("ctrd-checkpoint"))
                    .filter(p -> Files.isRegularFile(p.resolve("haul-hold"))).filter(p -> {
                        try {
                            return Files.readString(p.resolve("haul-hold")).strip().equals(hold);
                        } catch (IOException e) {
                            return false; // gone meanwhile
                        }
                    }).toList();
        }
        assertEquals("containerd's copies of the checkpoint left on B", List.of(), copies);
        String id = dockerB.cliOk("inspect", "-f", "{{.Id}}", name).strip();
        Path checkpoints = Path.of(dockerB.cliOk("info", "-f", "{{.DockerRootDir}}").strip(), "containers", id,
                "checkpoints");
        try (Stream<Path> left = Files.exists(checkpoints) ? Files.list(checkpoints) : Stream.empty()) {
            assertEquals("checkpoints left in the container's folder on B", List.of(), left.toList());
        }
    }

    private String startCounter(String volume) throws Exception {
        container = "counter-" + UUID.randomUUID().toString().substring(0, 8);
        dockerA.run(container, List.of("--network", "none", "-v", volume + ":/data", "-e", "HAUL_TEST=yes",
                "-l", "io.haul.test=" + container), DockerHost.IMAGE, "sh", "-c", COUNTER);
        awaitCounterAbove(dockerA, container, 3);
        return container;
    }

    private static long awaitCounterAbove(DockerHost host, String name, long floor) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        long value = -1;
        while (System.nanoTime() < deadline) {
            Commands.Result read = host.cli("exec", name, "cat", "/counter");
            if (read.exitCode() == 0 && !read.stdout().isBlank()) {
                value = Long.parseLong(read.stdout().strip());
                if (value > floor) {
                    return value;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " on " + host + ": counter still " + value + ", not above " + floor);
    }

    @Test
    public void aDockerContainerMovesWithItsLayerItsVolumeAndItsListeningSocket() throws Exception {
        String volume = "vol-" + UUID.randomUUID().toString().substring(0, 8);
        String name = startCounter(volume);
        String bornHere = dockerA.cliOk("exec", name, "cat", "/born-here").strip();
        // 32 MiB in the volume, written before the migration: they travel ahead of the freeze, not in it
        String bigSum = dockerA.cliOk("exec", name, "sh", "-c",
                "head -c 33554432 /dev/urandom > /data/big && md5sum /data/big").strip();
        long pidOnA = dockerA.containerPid(name);
        long before = counter(dockerA, name, "/counter");

        Commands.Result result = cluster.migrateToB("docker:" + name, "DockerMigrationIT", MIGRATE_SECONDS);
        String text = result.output();

        // on B: the same container, continuing from its frozen state, with its files
        assertEquals("running on B", "running", dockerB.containerStatus(name));
        long after = awaitCounterAbove(dockerB, name, before);
        assertTrue("the counter went on from " + before + " (memory moved), not from 1: " + after, after > before);
        long volumeCounter = counter(dockerB, name, "/data/counter");
        assertTrue("the volume's counter went on from " + before + ": " + volumeCounter, volumeCounter >= before);
        assertEquals("the file written on A before the move is in B's layer", bornHere,
                dockerB.cliOk("exec", name, "cat", "/born-here").strip());
        assertEquals("the volume's big file arrived intact", bigSum,
                dockerB.cliOk("exec", name, "md5sum", "/data/big").strip());
        assertTrue("the files went ahead of the freeze:\n" + text, text.contains("sent ahead of the freeze"));
        JsonNode record = cluster.record(cluster.a, new MigrateOutput(result.stdout()).id());
        long frozenImages = record.path("statistics").path("imageBytes").asLong();
        assertTrue("only what changed travelled while frozen (" + frozenImages + " bytes of images): "
                + record.path("statistics"), frozenImages > 0 && frozenImages < (8 << 20));
        assertEquals("the listening socket answers on B", "ping",
                dockerB.cliOk("exec", name, "sh", "-c", "echo ping | nc -w 5 127.0.0.1 7000").strip());
        JsonNode inspect = new ObjectMapper().readTree(dockerB.cliOk("inspect", name)).get(0);
        assertEquals("image", DockerHost.IMAGE, inspect.path("Config").path("Image").asText());
        assertTrue("environment: " + inspect.path("Config").path("Env"),
                inspect.path("Config").path("Env").toString().contains("HAUL_TEST=yes"));
        assertEquals("label", name, inspect.path("Config").path("Labels").path("io.haul.test").asText());
        assertTrue("the volume is mounted at /data: " + inspect.path("Mounts"),
                inspect.path("Mounts").toString().contains(volume) && inspect.path("Mounts").toString().contains("/data"));

        assertNoCheckpointLeftOnB(new MigrateOutput(result.stdout()).id(), name);

        // on A: the container is gone, its process too
        assertNotEquals("gone from A", 0, dockerA.cli("inspect", name).exitCode());
        assertFalse("its process " + pidOnA + " ended on A", Procs.alive(pidOnA));
        dockerA.cli("volume", "rm", "-f", volume);
        dockerB.cli("rm", "-f", name);
        dockerB.cli("volume", "rm", "-f", volume);
    }

    @Test
    public void aContainerWhoseImageIsMissingOnTheDestinationIsRefusedBeforeFreezing() throws Exception {
        dockerA.importImage(rootfs.tarball(), "haul-only-a:1");
        container = "only-a-" + UUID.randomUUID().toString().substring(0, 8);
        dockerA.run(container, List.of("--network", "none"), "haul-only-a:1", "sh", "-c",
                "i=0; while true; do i=$((i+1)); echo $i > /counter; sleep 0.1; done");
        long before = awaitCounterAbove(dockerA, container, 2);
        long pid = dockerA.containerPid(container);

        Commands.Result result = cluster.clientLive(cluster.a, "migrate", "docker:" + container, "--to",
                cluster.b.name).result(MIGRATE_SECONDS);
        String text = result.output();
        System.out.println("DockerMigrationIT missing image, migrate printed:\n" + text);
        assertNotEquals("migrate fails:\n" + text, 0, result.exitCode());
        assertTrue("the error names the missing image:\n" + text, text.contains("haul-only-a:1"));
        String id = new MigrateOutput(result.stdout()).id();
        JsonNode record = cluster.record(cluster.a, id);
        assertEquals("refused in the checks, before anything froze:\n" + record.toPrettyString(), "CHECKS",
                record.path("error").path("phase").asText());
        assertEquals("the same process runs on A", pid, dockerA.containerPid(container));
        awaitCounterAbove(dockerA, container, before);
        assertNotEquals("nothing was made on B", 0, dockerB.cli("inspect", container).exitCode());
    }

    /**
     * B's Docker engine stops while the images travel (a capped link, stop-and-copy, 48 MiB in the container's
     * /dev/shm): B cannot make the container, the migration rolls back, and the same container runs on at A.
     */
    @Test
    public void whenTheDestinationsEngineFailsTheContainerRunsOnAtTheSource() throws Exception {
        String volume = "vol-" + UUID.randomUUID().toString().substring(0, 8);
        container = "ballast-" + UUID.randomUUID().toString().substring(0, 8);
        dockerA.run(container, List.of("--network", "none", "-v", volume + ":/data"), DockerHost.IMAGE, "sh", "-c",
                "head -c 50331648 /dev/urandom > /dev/shm/ballast; " + COUNTER);
        long before = awaitCounterAbove(dockerA, container, 3);
        long pid = dockerA.containerPid(container);

        cluster.capLink("40mbit");
        Commands.Result result;
        try (LiveCommand migrate = cluster.clientLive(cluster.a, "migrate", "docker:" + container, "--to",
                cluster.b.name, "--strategy", "none")) {
            migrate.awaitLine(l -> l.contains("TRANSFER"), MIGRATE_SECONDS).orElseThrow(() ->
                    new AssertionError("the transfer never began:\n" + migrate.output()));
            dockerB.close();
            result = migrate.result(MIGRATE_SECONDS);
        } finally {
            cluster.uncapLink();
            dockerB.close(); // done already unless the transfer never began; close is idempotent
            dockerB = DockerHost.start("dmB2", cluster.b.name, base.resolve("B2"), cluster.work);
            dockerB.loadSameImage(dockerA);
            configure(cluster.b, dockerB, runcB);
            awaitBackends(cluster.b, true);
        }
        String text = result.output();
        System.out.println("DockerMigrationIT engine failure, migrate printed:\n" + text);
        assertNotEquals("migrate fails:\n" + text, 0, result.exitCode());
        assertTrue("it says the container keeps running here:\n" + text,
                text.contains("docker:" + container + " keeps running here"));
        JsonNode record = cluster.record(cluster.a, new MigrateOutput(result.stdout()).id());
        assertEquals("rolled back:\n" + record.toPrettyString(), "ROLLED_BACK", record.path("outcome").asText());
        assertTrue("the error names B's engine: " + record.path("error"),
                record.path("error").path("message").asText().contains("docker.sock"));
        assertEquals("the same process runs on at A", pid, dockerA.containerPid(container));
        assertEquals("running at A", "running", dockerA.containerStatus(container));
        assertTrue("its counter goes on", awaitCounterAbove(dockerA, container, before) > before);
        dockerA.cli("rm", "-f", container);
        dockerA.cli("volume", "rm", "-f", volume);
    }

    /** The plugin's jar leaves B's deploy folder: docker and runc go from B, and a migration to B is refused. */
    @Test
    public void removingThePluginTakesItsBackendsAwayAndMigrationsThereAreRefused() throws Exception {
        String volume = "vol-" + UUID.randomUUID().toString().substring(0, 8);
        String name = startCounter(volume);
        long pid = dockerA.containerPid(name);
        Files.delete(cluster.b.state.resolve("deploy/plugin-docker.jar"));
        Commands.Result result;
        try {
            awaitBackends(cluster.b, false);
            result = cluster.clientLive(cluster.a, "migrate", "docker:" + name, "--to", cluster.b.name)
                    .result(MIGRATE_SECONDS);
        } finally {
            deployPlugin(cluster.b);
            awaitBackends(cluster.b, true);
        }
        String text = result.output();
        System.out.println("DockerMigrationIT plugin removed, migrate printed:\n" + text);
        assertNotEquals("migrate fails:\n" + text, 0, result.exitCode());
        assertTrue("the error says B has no docker backend:\n" + text, text.contains("no 'docker' backend"));
        assertEquals("the same process runs on at A", pid, dockerA.containerPid(name));
        dockerA.cli("volume", "rm", "-f", volume);
    }

    /**
     * A container an abandoned restore left on B (never started, with a Haul checkpoint whose hold is over) does
     * not block the next migration of its name; a container of that name that is not Haul's still does.
     */
    @Test
    public void aContainerLeftOnTheDestinationByAnAbandonedRestoreIsReplaced() throws Exception {
        String volume = "vol-" + UUID.randomUUID().toString().substring(0, 8);
        String name = startCounter(volume);
        String left = dockerB.cliOk("create", "--name", name, "--network", "none", DockerHost.IMAGE, "sleep", "1").strip();
        Path checkpoint = Path.of(dockerB.cliOk("info", "-f", "{{.DockerRootDir}}").strip(), "containers", left,
                "checkpoints", "haul-abandoned");
        Files.createDirectories(checkpoint);
        Files.writeString(checkpoint.resolve("haul-hold"), "/run/haul/hold/restore-gone-" + UUID.randomUUID());

        Commands.Result result = cluster.clientLive(cluster.a, "migrate", "docker:" + name, "--to", cluster.b.name)
                .result(MIGRATE_SECONDS);
        System.out.println("DockerMigrationIT over a leftover, migrate printed:\n" + result.output());
        assertEquals("migrate succeeds over the leftover:\n" + result.output() + "\nB's log:\n" + cluster.b.logText(), 0,
                result.exitCode());
        assertEquals("running on B", "running", dockerB.containerStatus(name));
        assertNotEquals("the leftover is gone", left, dockerB.cliOk("inspect", "-f", "{{.Id}}", name).strip());
        dockerB.cli("rm", "-f", name);
        dockerB.cli("volume", "rm", "-f", volume);
        dockerA.cli("volume", "rm", "-f", volume);

        String other = startCounter("vol-" + UUID.randomUUID().toString().substring(0, 8));
        dockerB.cliOk("create", "--name", other, "--network", "none", DockerHost.IMAGE, "sleep", "1");
        Commands.Result refused = cluster.clientLive(cluster.a, "migrate", "docker:" + other, "--to", cluster.b.name)
                .result(MIGRATE_SECONDS);
        assertNotEquals("a container of that name that is not Haul's blocks:\n" + refused.output(), 0, refused.exitCode());
        assertTrue(refused.output(), refused.output().contains("a container named '" + other + "' already exists here"));
        assertEquals("the blocked container runs on at A", "running", dockerA.containerStatus(other));
    }

    @Test
    public void psListsWhatCanMoveAndWhyTheRestCannot() throws Exception {
        String volume = "vol-" + UUID.randomUUID().toString().substring(0, 8);
        String name = startCounter(volume);
        String hostNet = name + "-hostnet";
        dockerA.run(hostNet, List.of("--network", "host"), DockerHost.IMAGE, "sleep", "3600");
        try {
            Commands.Result ps = cluster.client(cluster.a, "ps", "docker");
            System.out.println("DockerMigrationIT ps docker:\n" + ps.output());
            assertEquals(ps.output(), 0, ps.exitCode());
            assertTrue("lists the counter:\n" + ps.output(), ps.stdout().contains("docker:" + name));
            assertTrue("says why the host-network container cannot move:\n" + ps.output(),
                    ps.stdout().lines().anyMatch(l -> l.contains(hostNet) && l.contains("network mode is 'host'")));
        } finally {
            dockerA.cli("rm", "-f", hostNet);
            dockerA.cli("volume", "rm", "-f", volume);
        }
    }

    @Test
    public void aRuncContainerMoves() throws Exception {
        String id = "rc-" + UUID.randomUUID().toString().substring(0, 8);
        Path bundle = runcA.bundle(id, rootfs, "sh", "-c",
                "i=0; while true; do i=$((i+1)); echo $i > /tmp/counter-" + id + "; sleep 0.1; done");
        long pidOnA = runcA.run(id, bundle);
        long before = CounterFile.awaitAbove(bundle.resolve("rootfs/tmp/counter-" + id), 3, 30);

        Commands.Result result = cluster.clientLive(cluster.a, "migrate", "runc:" + id, "--to", cluster.b.name)
                .result(MIGRATE_SECONDS);
        String text = result.output();
        System.out.println("DockerMigrationIT runc migrate printed:\n" + text);
        try {
            assertEquals("migrate succeeds:\n" + text + "\nB's log:\n" + cluster.b.logText(), 0, result.exitCode());
            assertEquals("running in B's runc root", "running", runcB.status(id));
            long pidOnB = runcB.pid(id);
            assertFalse("the process ended on A", Procs.alive(pidOnA));
            assertFalse("A's runc forgot it", runcA.list().contains(id));
            Path moved = base.resolve("bundles-" + cluster.b.name).resolve(id);
            long after = CounterFile.awaitAbove(moved.resolve("rootfs/tmp/counter-" + id), before, 30);
            assertTrue("the counter went on from " + before + ": " + after, after > before);
            assertTrue("B's container is a new process " + pidOnB, Procs.alive(pidOnB));
        } finally {
            runcB.delete(id);
            runcA.delete(id);
        }
    }

    /**
     * B cannot make the runc container's bundle (its bundles folder lies under a plain file): the restore fails
     * after the images arrived, the migration rolls back, and the same container runs on at A.
     */
    @Test
    public void aRuncRestoreThatFailsLeavesTheContainerRunningAtTheSource() throws Exception {
        String id = "rc-" + UUID.randomUUID().toString().substring(0, 8);
        Path bundle = runcA.bundle(id, rootfs, "sh", "-c",
                "i=0; while true; do i=$((i+1)); echo $i > /tmp/counter-" + id + "; sleep 0.1; done");
        long pid = runcA.run(id, bundle);
        Path counter = bundle.resolve("rootfs/tmp/counter-" + id);
        long before = CounterFile.awaitAbove(counter, 3, 30);
        Path blocker = base.resolve("not-a-folder");
        Files.writeString(blocker, "a file where B's bundles folder should be\n");
        Path config = cluster.b.state.resolve("etc/haul.runc.cfg");
        String good = Files.readString(config);
        Commands.Result result;
        try {
            Files.writeString(config, good.replaceAll("bundles=.*", "bundles=" + blocker.resolve("bundles")));
            awaitLogLine(cluster.b, blocker.toString());
            result = cluster.clientLive(cluster.a, "migrate", "runc:" + id, "--to", cluster.b.name)
                    .result(MIGRATE_SECONDS);
        } finally {
            Files.writeString(config, good);
        }
        try {
            String text = result.output();
            System.out.println("DockerMigrationIT runc restore failure, migrate printed:\n" + text);
            assertNotEquals("migrate fails:\n" + text, 0, result.exitCode());
            assertTrue("it names the bundle B could not make:\n" + text, text.contains(blocker.toString()));
            assertTrue("it says the container keeps running here:\n" + text,
                    text.contains("runc:" + id + " keeps running here"));
            assertEquals("running at A", "running", runcA.status(id));
            assertEquals("the same process", pid, runcA.pid(id));
            assertTrue("its counter goes on", CounterFile.awaitAbove(counter, before, 30) > before);
            assertFalse("nothing of it on B", runcB.list().contains(id));
        } finally {
            runcA.delete(id);
        }
    }

    /** Waits until the agent's log mentions {@code text} (a configuration it took); polled, no event reaches us. */
    private static void awaitLogLine(TwoHostCluster.Agent agent, String text) throws Exception {
        long deadline = System.nanoTime() + BACKEND_SECONDS * 1_000_000_000L;
        while (!agent.logText().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(agent.name + " never logged " + text + ":\n" + agent.logText());
            }
            Thread.sleep(100);
        }
    }
}
