package io.haul.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.haul.itests.Requirements.HostNeeds;
import io.haul.itests.Requirements.Need;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;
import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * LXC containers moved between two hosts as a user does it: a private lxcpath on each host (hlxc2A, hlxc2B), the plugin
 * jar copied into each agent's deploy folder, then {@code ./haul migrate lxc:NAME --to hlxc2B}, and everything checked
 * through LXC and the containers' files, from outside the agents.
 */
@HostNeeds({Need.ROOT, Need.UNSHARE, Need.CRIU, Need.LXC})
public class LxcMigrationIT {

    private static final double MIGRATE_SECONDS = 180;
    private static final long BACKEND_SECONDS = 60;
    private static final List<String> NO_NETWORK = List.of("lxc.net.0.type = empty", "lxc.console.path = none");

    /** Root's subordinate ids as an unprivileged container's maps need them (each agent's own subuid, subgid). */
    private static final String SET_ASIDE = "root:" + LxcHost.MAPPED_ROOT + ":65536\n";

    private static TwoHostCluster cluster;
    private static Path base;
    private static LxcHost lxcA;
    private static LxcHost lxcB;

    @BeforeClass
    public static void startHosts() throws Exception {
        cluster = TwoHostCluster.start(LxcMigrationIT.class, new TwoHostCluster.Options()
                .hosts("hlxc2A", "169.254.93.1", "hlxc2B", "169.254.93.2").clusterName("hlxc2").folderOnlyOnA());
        try {
            // readable by all, as /var/lib/lxc is: an unprivileged container's root (host uid 100000) passes through
            base = Files.createTempDirectory(Path.of("/tmp"), "haul-lxc-",
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
            lxcA = new LxcHost(cluster.a.name, base.resolve("A"));
            lxcB = new LxcHost(cluster.b.name, base.resolve("B"));
            for (TwoHostCluster.Agent agent : List.of(cluster.a, cluster.b)) {
                LxcHost lxc = agent == cluster.a ? lxcA : lxcB;
                Files.writeString(agent.state.resolve("etc/haul.lxc.cfg"), "lxcpath=" + lxc.lxcpath + "\n");
                Path ids = Files.createDirectories(base.resolve("ids-" + agent.name));
                setAside(agent, SET_ASIDE);
                Files.writeString(agent.state.resolve("etc/haul.namespace.user.cfg"), "subuidFile="
                        + ids.resolve("subuid") + "\nsubgidFile=" + ids.resolve("subgid") + "\n");
                deployPlugin(agent);
                awaitBackend(agent, lxc.lxcpath);
            }
        } catch (Throwable e) {
            stopHosts();
            throw e;
        }
    }

    /**
     * An agent a failed test killed is started again (and its lxc backend awaited), so that one failure does not
     * fail every test after it ("no agent named hlxc2B in the cluster").
     */
    @Before
    public void healthyCluster() throws Exception {
        String repaired = cluster.ensureHealthy();
        if (!repaired.isEmpty()) {
            System.out.println("LxcMigrationIT: before the test, " + repaired);
            awaitBackend(cluster.a, lxcA.lxcpath);
            awaitBackend(cluster.b, lxcB.lxcpath);
        }
    }

    @AfterClass
    public static void stopHosts() throws Exception {
        for (AutoCloseable host : new AutoCloseable[] {lxcA, lxcB}) {
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

    private static void deployPlugin(TwoHostCluster.Agent agent) throws IOException {
        Path jar = Path.of(System.getProperty("haul.lxc.jar", ""));
        assertTrue("the lxc plugin jar " + jar + " exists (build first)", Files.isRegularFile(jar));
        Path staging = agent.state.resolve("plugin-lxc.jar.part");
        Files.copy(jar, staging, StandardCopyOption.REPLACE_EXISTING);
        Files.move(staging, agent.state.resolve("deploy/plugin-lxc.jar"), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Waits until the agent lists lxc as usable with its own lxcpath configured; polled, no event. */
    private static void awaitBackend(TwoHostCluster.Agent agent, Path lxcpath) throws Exception {
        long deadline = System.nanoTime() + BACKEND_SECONDS * 1_000_000_000L;
        JsonNode backends = null;
        while (System.nanoTime() < deadline) {
            backends = cluster.json(agent, "backends", "--json");
            boolean usable = backends.findParents("name").stream().anyMatch(n -> n.path("name").asText().equals("lxc")
                    && n.path("usable").asBoolean());
            if (usable && agent.logText().contains("lxc backend: containers of " + lxcpath)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(agent.name + ": lxc usable on " + lxcpath + " within " + BACKEND_SECONDS
                + " s; backends now: " + backends + "\nagent log:\n" + agent.logText());
    }

    /** An agent's subordinate ids (read at each check), written as /etc/subuid and /etc/subgid would be. */
    private static void setAside(TwoHostCluster.Agent agent, String lines) throws IOException {
        Path ids = base.resolve("ids-" + agent.name);
        Files.writeString(ids.resolve("subuid"), lines);
        Files.writeString(ids.resolve("subgid"), lines);
    }

    private static String name(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    private static String sh(String command) throws Exception {
        Commands.Result result = Commands.run(List.of("sh", "-c", command), 60);
        assertEquals(command + ":\n" + result.output(), 0, result.exitCode());
        return result.stdout().strip();
    }

    @Test
    public void aBusyboxContainerMovesLiveWithItsRootFileSystemAndItsCounter() throws Exception {
        String name = name("move");
        Path rootfs = lxcA.create(name, NO_NETWORK);
        lxcB.forget(name);
        Files.writeString(rootfs.resolve("root/goes-away"), "deleted before the move\n");
        lxcA.start(name);
        long initOnA = lxcA.initPid(name);
        List<Path> cgroupsOnA = lxcA.cgroups(name);
        lxcA.awaitCounterAbove(name, 3);
        // written while it runs: 8 MiB go ahead of the freeze, one file is deleted
        String bigSum = sh("head -c 8388608 /dev/urandom > " + rootfs.resolve("root/big") + " && md5sum < "
                + rootfs.resolve("root/big"));
        String born = UUID.randomUUID().toString();
        Files.writeString(rootfs.resolve("root/born-here"), born);
        Files.delete(rootfs.resolve("root/goes-away"));

        JsonNode listed = cluster.json(cluster.a, "ps", "lxc", "--json");
        assertTrue("haul ps lxc lists it as migratable: " + listed, listed.toString().contains("\"lxc:" + name + "\"")
                || listed.findParents("migratable").stream().anyMatch(n -> n.toString().contains(name)
                && n.path("migratable").asBoolean()));
        long before = lxcA.counter(name);

        Commands.Result result = cluster.migrateToB("lxc:" + name, "LxcMigrationIT", MIGRATE_SECONDS);
        String text = result.output();

        // on B: LXC runs it (its monitor), the counter goes on from its memory, the files are the ones A had
        assertTrue("LXC on B says it runs", lxcB.running(name));
        long after = lxcB.awaitCounterAbove(name, before);
        assertTrue("the counter went on from " + before + " (memory moved), not from 1: " + after, after > before);
        Path rootfsB = lxcB.lxcpath.resolve(name).resolve("rootfs");
        assertEquals("the file written on A is in B's root file system", born,
                Files.readString(rootfsB.resolve("root/born-here")));
        assertEquals("the big file arrived intact", bigSum, sh("md5sum < " + rootfsB.resolve("root/big")));
        assertFalse("the file deleted on A before the move is not on B", Files.exists(rootfsB.resolve("root/goes-away")));
        String configB = Files.readString(lxcB.lxcpath.resolve(name).resolve("config"));
        assertTrue("B's configuration names its own root file system:\n" + configB,
                configB.contains("lxc.rootfs.path = dir:" + rootfsB));
        assertFalse("B's configuration names nothing of A's lxcpath:\n" + configB,
                configB.contains(lxcA.lxcpath.toString()));
        assertTrue("the files went ahead of the freeze:\n" + text, text.contains("sent ahead of the freeze"));
        JsonNode record = cluster.record(cluster.a, new MigrateOutput(result.stdout()).id());
        long frozenImages = record.path("statistics").path("imageBytes").asLong();
        assertTrue("the big file did not travel while frozen (" + frozenImages + " bytes of images): "
                + record.path("statistics"), frozenImages > 0 && frozenImages < (6 << 20));

        // on A: destroyed, its init gone, and its cgroups (its init's and its monitor's, every hierarchy)
        assertFalse("its init " + initOnA + " ended on A", Procs.alive(initOnA));
        assertFalse("LXC destroyed it on A", lxcA.exists(name));
        assertEquals("no images left", List.of(), cluster.leftoverImages());
        assertEquals("nothing left of A's cgroups " + cgroupsOnA, List.of(), Cgroups.left(cgroupsOnA));

        // on B: stopped there, LXC removes every cgroup the moved container is in (none is one LXC never made)
        List<Path> cgroupsOnB = lxcB.cgroups(name);
        assertFalse("B's copy has cgroups", cgroupsOnB.isEmpty());
        lxcB.stop(name);
        assertEquals("nothing left of B's cgroups " + cgroupsOnB + " once it stopped", List.of(),
                Cgroups.left(cgroupsOnB));
    }

    /**
     * An unprivileged container (lxc.idmap, its root file system owned by host ids 100000 on): moved to hlxc2B with
     * the same maps, its tasks the same ids inside (root, host uid 100000), its counter going on, its file there with
     * its owner, its folder its root's as lxc-create leaves it; nothing of it left on hlxc2A.
     */
    @Test
    public void anUnprivilegedContainerMovesWithItsIdMapsItsIdsAndItsCounter() throws Exception {
        String name = name("unpriv");
        Path rootfs = lxcA.createUnprivileged(name, NO_NETWORK);
        lxcB.forget(name);
        lxcA.start(name);
        long initOnA = lxcA.initPid(name);
        lxcA.awaitCounterAbove(name, 3);
        String mapOnA = Files.readString(Path.of("/proc", Long.toString(initOnA), "uid_map")).strip();
        assertTrue("A runs it with the map of its configuration: " + mapOnA, mapOnA.matches("0\\s+"
                + LxcHost.MAPPED_ROOT + "\\s+65536"));
        assertEquals("its init is its root, host uid " + LxcHost.MAPPED_ROOT, LxcHost.MAPPED_ROOT, hostUid(initOnA));
        String born = UUID.randomUUID().toString();
        Path file = rootfs.resolve("root/born-here");
        Files.writeString(file, born);
        Files.setAttribute(file, "unix:uid", (int) LxcHost.MAPPED_ROOT + 1000); // uid 1000 inside
        JsonNode listed = cluster.json(cluster.a, "ps", "lxc", "--json");
        assertTrue("ps lxc lists it as migratable: " + listed, listed.findParents("migratable").stream()
                .anyMatch(n -> n.path("ref").path("id").asText().equals(name) && n.path("migratable").asBoolean()));
        long before = lxcA.counter(name);

        Commands.Result result = cluster.migrateToB("lxc:" + name, "LxcMigrationIT unprivileged,", MIGRATE_SECONDS);

        assertTrue("LXC on B says it runs", lxcB.running(name));
        long after = lxcB.awaitCounterAbove(name, before);
        assertTrue("the counter went on from " + before + " (memory moved), not from 1: " + after, after > before);
        long initOnB = lxcB.initPid(name);
        assertEquals("B's init has the same uid map", mapOnA,
                Files.readString(Path.of("/proc", Long.toString(initOnB), "uid_map")).strip());
        assertEquals("and the same gid map", mapOnA,
                Files.readString(Path.of("/proc", Long.toString(initOnB), "gid_map")).strip());
        for (long task : Procs.tree(initOnB)) {
            assertEquals("task " + task + " on B is root inside (host uid " + LxcHost.MAPPED_ROOT + ") as on A",
                    LxcHost.MAPPED_ROOT, hostUid(task));
        }
        Path folderB = lxcB.lxcpath.resolve(name);
        assertEquals("the file written on A is on B", born, Files.readString(folderB.resolve("rootfs/root/born-here")));
        assertEquals("with its owner (uid 1000 inside)", (int) LxcHost.MAPPED_ROOT + 1000,
                Files.getAttribute(folderB.resolve("rootfs/root/born-here"), "unix:uid"));
        assertEquals("B's folder is the container root's, as lxc-create makes it", (int) LxcHost.MAPPED_ROOT,
                Files.getAttribute(folderB, "unix:uid"));
        double frozen = new MigrateOutput(result.stdout()).frozenMillis().orElse(-1.0);
        System.out.printf(java.util.Locale.ROOT, "LxcMigrationIT FIGURE: unprivileged container frozen %.0f ms%n",
                frozen);

        assertFalse("its init " + initOnA + " ended on A", Procs.alive(initOnA));
        assertFalse("LXC destroyed it on A", lxcA.exists(name));
        assertEquals("no images left", List.of(), cluster.leftoverImages());
        lxcB.stop(name);
    }

    /**
     * hlxc2B has not set aside the host ids the container's maps use (its subuid and subgid name another range): the
     * checks refuse it, saying which range, before anything freezes; it runs on at hlxc2A, nothing is made on B.
     */
    @Test
    public void anUnprivilegedContainerIsRefusedWhenTheDestinationLacksItsIdRange() throws Exception {
        String name = name("noids");
        lxcA.createUnprivileged(name, NO_NETWORK);
        lxcA.start(name);
        long init = lxcA.initPid(name);
        long before = lxcA.awaitCounterAbove(name, 2);
        Commands.Result result;
        setAside(cluster.b, "root:300000:65536\n");
        try {
            result = cluster.clientLive(cluster.a, "migrate", "lxc:" + name, "--to", cluster.b.name)
                    .result(MIGRATE_SECONDS);
        } finally {
            setAside(cluster.b, SET_ASIDE);
        }
        String text = result.output();
        System.out.println("LxcMigrationIT id range missing, migrate printed:\n" + text);
        assertNotEquals("migrate fails:\n" + text, 0, result.exitCode());
        assertTrue("the error names the range B lacks and the line to add:\n" + text, text.contains("100000-165535")
                && text.contains("root:300000:65536") && text.contains("add root:100000:65536"));
        assertTrue("A judged it by what B offered in the handshake, without asking B to prepare:\n" + text,
                text.contains("which " + cluster.b.name + " has not set aside") && !text.contains(cluster.b.name
                + " refused"));
        JsonNode record = cluster.record(cluster.a, new MigrateOutput(result.stdout()).id());
        assertEquals("refused in the checks:\n" + record.toPrettyString(), "CHECKS",
                record.path("error").path("phase").asText());
        assertEquals("the same init runs on A", init, lxcA.initPid(name));
        assertTrue("its counter goes on", lxcA.awaitCounterAbove(name, before) > before);
        assertFalse("nothing was made on B", lxcB.exists(name));
    }

    /** A task's real uid on the host (/proc/PID/status, as the host sees it). */
    private static long hostUid(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("Uid:")).map(l -> Long.parseLong(l.substring(4).strip().split("\\s+")[0]))
                .findFirst().orElseThrow();
    }

    @Test
    public void aNameTakenOnTheDestinationIsRefusedBeforeFreezingAndTheContainerRunsOn() throws Exception {
        String name = name("taken");
        lxcA.create(name, NO_NETWORK);
        lxcB.create(name, NO_NETWORK); // made, never started: the name is taken there
        lxcA.start(name);
        long init = lxcA.initPid(name);
        long before = lxcA.awaitCounterAbove(name, 2);

        Commands.Result result = cluster.clientLive(cluster.a, "migrate", "lxc:" + name, "--to", cluster.b.name)
                .result(MIGRATE_SECONDS);
        String text = result.output();
        System.out.println("LxcMigrationIT name taken, migrate printed:\n" + text);
        assertNotEquals("migrate fails:\n" + text, 0, result.exitCode());
        assertTrue("the error says the name is taken on B:\n" + text, text.contains("already exists"));
        JsonNode record = cluster.record(cluster.a, new MigrateOutput(result.stdout()).id());
        assertEquals("refused in the checks:\n" + record.toPrettyString(), "CHECKS",
                record.path("error").path("phase").asText());
        assertEquals("the same init runs on A", init, lxcA.initPid(name));
        assertTrue("its counter goes on", lxcA.awaitCounterAbove(name, before) > before);
        assertFalse("B's container of that name was left alone, not started", lxcB.running(name));
    }

    @Test
    public void psSaysWhyAContainerCannotMove() throws Exception {
        String stopped = name("stopped");
        lxcA.create(stopped, NO_NETWORK);
        String console = name("console");
        lxcA.create(console, List.of("lxc.net.0.type = empty"));
        lxcA.start(console);
        JsonNode listed = cluster.json(cluster.a, "ps", "lxc", "--json");
        String text = listed.toString();
        assertTrue("a stopped container is listed with why: " + text, reason(listed, stopped).contains("STOPPED"));
        assertTrue("a container with a console is listed with why: " + text,
                reason(listed, console).contains("lxc.console.path = none"));

        Commands.Result result = cluster.clientLive(cluster.a, "migrate", "lxc:" + console, "--to", cluster.b.name)
                .result(MIGRATE_SECONDS);
        assertNotEquals("migrate fails:\n" + result.output(), 0, result.exitCode());
        assertTrue("the error names the console:\n" + result.output(), result.output().contains("console"));
        assertTrue("it runs on at A", lxcA.running(console));
        assertFalse("nothing was made on B", lxcB.exists(console));
    }

    /**
     * A container with a veth on hlxc2A's bridge and an echo server: a client on hlxc2C streams numbered lines to it through
     * the move, and every line comes back once, in order; the host end is on hlxc2B's bridge afterwards, gone from hlxc2A.
     */
    @Test
    public void aContainerWithAVethMovesWithItsAddressAndItsClientsConnectionStaysWhole() throws Exception {
        String name = name("net");
        String address = cluster.segmentAddress(50);
        String hostEnd = "lxc2v50";
        lxcA.create(name, List.of("lxc.net.0.type = veth", "lxc.net.0.link = " + ContainerNetwork.HOSTS_BRIDGE,
                "lxc.net.0.veth.pair = " + hostEnd, "lxc.net.0.name = eth0", "lxc.net.0.hwaddr = 02:00:a9:fe:5d:32",
                "lxc.net.0.ipv4.address = " + address + "/24", "lxc.net.0.flags = up", "lxc.console.path = none"),
                "/bin/nc -ll -p 7000 -e /bin/cat");
        lxcB.forget(name);
        lxcA.start(name);
        long before = lxcA.awaitCounterAbove(name, 2);
        try (EchoClient client = EchoClient.connect(cluster.hostC(), address, 7000)) {
            client.assertEchoes("the client is echoed before the move", 50, 30);
            client.resetGap();

            Commands.Result result = cluster.migrateToB("lxc:" + name, "LxcMigrationIT veth,", MIGRATE_SECONDS);

            client.assertEchoes("the client's connection goes on after the move", client.echoed() + 200, 30);
            assertTrue("LXC on B says it runs", lxcB.running(name));
            assertTrue("the counter went on", lxcB.awaitCounterAbove(name, before) > before);
            assertTrue("the host end is on hlxc2B's bridge", sh("ip -n " + cluster.b.name + " -o link show " + hostEnd)
                    .contains("master " + ContainerNetwork.HOSTS_BRIDGE));
            assertNotEquals("the host end is gone from hlxc2A", 0, Commands.run(List.of("ip", "-n", cluster.a.name,
                    "link", "show", hostEnd), 30).exitCode());
            EchoClient.Report seen = client.stop();
            double frozen = new MigrateOutput(result.stdout()).frozenMillis().orElse(-1.0);
            System.out.printf(java.util.Locale.ROOT, "LxcMigrationIT FIGURE: frozen %.0f ms, the client's longest gap"
                    + " %d ms (%d lines echoed)%n", frozen, seen.longestGapMs(), seen.echoed());
            assertTrue("the client saw every line echoed once, in order: " + seen, seen.intact());
        }
    }

    /**
     * hlxc2B's agent dies (SIGKILL) while the images travel (48 MiB in the container's /dev/shm, a capped link,
     * stop-and-copy): the dump is undone, the same container runs on at hlxc2A, and hlxc2B, restarted, has nothing of it.
     */
    @Test
    public void whenTheDestinationsAgentDiesMidTransferTheContainerRunsOnAtTheSource() throws Exception {
        String name = name("killed");
        lxcA.create(name, NO_NETWORK, "/bin/sh -c 'head -c 50331648 /dev/urandom > /dev/shm/ballast'");
        lxcB.forget(name);
        lxcA.start(name);
        long init = lxcA.initPid(name);
        long before = lxcA.awaitCounterAbove(name, 2);
        Path ballast = Path.of("/proc", Long.toString(init), "root/dev/shm/ballast");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!(Files.exists(ballast) && Files.size(ballast) == 50331648L) && System.nanoTime() < deadline) {
            Thread.sleep(100); // polled: the container tells nobody when its ballast is written
        }

        cluster.capLink("40mbit");
        Commands.Result result;
        try (LiveCommand migrate = cluster.clientLive(cluster.a, "migrate", "lxc:" + name, "--to", cluster.b.name,
                "--strategy", "none")) {
            migrate.awaitLine(l -> l.contains("TRANSFER"), MIGRATE_SECONDS).orElseThrow(() ->
                    new AssertionError("the transfer never began:\n" + migrate.output()));
            cluster.b.kill();
            result = migrate.result(MIGRATE_SECONDS);
        } finally {
            cluster.uncapLink();
        }
        String text = result.output();
        System.out.println("LxcMigrationIT destination killed, migrate printed:\n" + text);
        assertNotEquals("migrate fails:\n" + text, 0, result.exitCode());
        assertTrue("it says the container keeps running here:\n" + text,
                text.contains("lxc:" + name + " keeps running here"));
        String id = new MigrateOutput(result.stdout()).id();
        assertEquals("rolled back", "ROLLED_BACK", cluster.record(cluster.a, id).path("outcome").asText());
        assertTrue("LXC on A says it runs", lxcA.running(name));
        assertEquals("the same init runs on A", init, lxcA.initPid(name));
        assertTrue("its counter goes on", lxcA.awaitCounterAbove(name, before) > before);

        cluster.b.start();
        cluster.awaitCluster(TwoHostCluster.CLUSTER_SECONDS);
        awaitBackend(cluster.b, lxcB.lxcpath);
        assertEquals("hlxc2B's view of the record", "ROLLED_BACK", cluster.record(cluster.b, id).path("outcome").asText());
        assertFalse("nothing of it on hlxc2B", lxcB.exists(name));
        assertEquals("no images left", List.of(), cluster.leftoverImages());
    }

    /**
     * The restore fails on hlxc2B after the freeze, for a real reason: the container's pre-start hook (LXC runs it
     * for a restore too) needs a licence file that only hlxc2A has (hlxc2B's agent sees an empty tmpfs over that
     * folder). The migration rolls back: the same init runs on at hlxc2A with its counter going on from its memory, the
     * file it wrote still there, the client's connection whole; nothing of it is left on hlxc2B (folder, host end,
     * cgroups, images).
     */
    @Test
    public void aRestoreFailingOnTheDestinationRollsBackAndTheContainerRunsOnAtTheSourceAsItWas() throws Exception {
        String name = name("rollback");
        Path licence = cluster.onlyOnA().resolve("licence-" + name);
        Files.writeString(licence, "only hlxc2A has this\n");
        Path hook = base.resolve("needs-licence-" + name + ".sh");
        Files.writeString(hook, "#!/bin/sh\n# LXC's pre-start hook (also run for a restore): the licence must be there\n"
                + "test -f " + licence + " || { echo \"no licence file " + licence + "\" >&2; exit 1; }\n");
        Files.setPosixFilePermissions(hook, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        String address = cluster.segmentAddress(51);
        String hostEnd = "lxc2v51";
        Path rootfs = lxcA.create(name, List.of("lxc.net.0.type = veth", "lxc.net.0.link = "
                + ContainerNetwork.HOSTS_BRIDGE, "lxc.net.0.veth.pair = " + hostEnd, "lxc.net.0.name = eth0",
                "lxc.net.0.hwaddr = 02:00:a9:fe:5d:33", "lxc.net.0.ipv4.address = " + address + "/24",
                "lxc.net.0.flags = up", "lxc.console.path = none", "lxc.hook.pre-start = " + hook),
                "/bin/nc -ll -p 7000 -e /bin/cat");
        lxcB.forget(name);
        lxcA.start(name);
        long init = lxcA.initPid(name);
        List<Path> cgroupsOnA = lxcA.cgroups(name);
        String born = UUID.randomUUID().toString();
        Files.writeString(rootfs.resolve("root/born-here"), born);
        // the counter is started just before the echo server: counting, the server had time to listen
        long before = lxcA.awaitCounterAbove(name, 2);
        try (EchoClient client = EchoClient.connect(cluster.hostC(), address, 7000)) {
            assertTrue("the client is echoed before the move", client.awaitEchoes(50, 30));

            Commands.Result result = cluster.clientLive(cluster.a, "migrate", "lxc:" + name, "--to", cluster.b.name)
                    .result(MIGRATE_SECONDS);
            String text = result.output();
            System.out.println("LxcMigrationIT restore failing, migrate printed:\n" + text);
            assertNotEquals("migrate fails:\n" + text, 0, result.exitCode());
            assertTrue("it says the container keeps running here:\n" + text,
                    text.contains("lxc:" + name + " keeps running here"));
            JsonNode record = cluster.record(cluster.a, new MigrateOutput(result.stdout()).id());
            assertEquals("rolled back:\n" + record.toPrettyString(), "ROLLED_BACK", record.path("outcome").asText());
            assertEquals("after the freeze, in the restore:\n" + record.toPrettyString(), "RESTORE",
                    record.path("error").path("phase").asText());
            assertTrue("the error names the hook's complaint: " + record.path("error"),
                    record.path("error").toString().contains("pre-start"));

            // on A, as it was: the same init, its memory (the counter goes on), its file, its connection
            assertTrue("LXC on A says it runs", lxcA.running(name));
            assertEquals("the same init runs on A", init, lxcA.initPid(name));
            assertTrue("its counter goes on from its memory", lxcA.awaitCounterAbove(name, before) > before);
            assertEquals("its file is there", born, Files.readString(rootfs.resolve("root/born-here")));
            assertTrue("the client's connection goes on at A", client.awaitEchoes(client.echoed() + 200, 30));
            assertEquals("its cgroups are the same", cgroupsOnA, lxcA.cgroups(name));
            EchoClient.Report seen = client.stop();
            assertTrue("the client saw every line echoed once, in order: " + seen, seen.intact());
        }
        // on B, nothing
        assertFalse("nothing of it on hlxc2B", lxcB.exists(name));
        assertNotEquals("no host end on hlxc2B", 0, Commands.run(List.of("ip", "-n", cluster.b.name, "link", "show",
                hostEnd), 30).exitCode());
        assertEquals("no cgroup of it but A's", List.of(), LxcHost.otherCgroups(name, cgroupsOnA));
        assertEquals("no images left", List.of(), cluster.leftoverImages());
    }

    /** A hook script that only hlxc2A has (LXC would run it for the restore): refused before freezing, runs on. */
    @Test
    public void aHookScriptTheDestinationLacksIsRefusedBeforeFreezing() throws Exception {
        String name = name("hook");
        Path hook = cluster.onlyOnA().resolve("hook-" + name + ".sh");
        Files.writeString(hook, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(hook, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> configuration = new java.util.ArrayList<>(NO_NETWORK);
        configuration.add("lxc.hook.pre-start = " + hook);
        lxcA.create(name, configuration);
        lxcA.start(name);
        long init = lxcA.initPid(name);
        long before = lxcA.awaitCounterAbove(name, 2);

        Commands.Result result = cluster.clientLive(cluster.a, "migrate", "lxc:" + name, "--to", cluster.b.name)
                .result(MIGRATE_SECONDS);
        String text = result.output();
        System.out.println("LxcMigrationIT hook, migrate printed:\n" + text);
        assertNotEquals("migrate fails:\n" + text, 0, result.exitCode());
        assertTrue("the error names the hook:\n" + text, text.contains("lxc.hook.pre-start program " + hook));
        JsonNode record = cluster.record(cluster.a, new MigrateOutput(result.stdout()).id());
        assertEquals("refused in the checks:\n" + record.toPrettyString(), "CHECKS",
                record.path("error").path("phase").asText());
        assertEquals("the same init runs on A", init, lxcA.initPid(name));
        assertTrue("its counter goes on", lxcA.awaitCounterAbove(name, before) > before);
        assertFalse("nothing was made on B", lxcB.exists(name));
    }

    /** A bind-mounted host folder that hlxc2B does not have (B's agent sees an empty tmpfs there): refused, runs on. */
    @Test
    public void aBindMountedFolderTheDestinationLacksIsRefusedBeforeFreezing() throws Exception {
        String name = name("bind");
        Path shared = Files.createDirectories(cluster.onlyOnA().resolve("lxc-" + name));
        List<String> configuration = new java.util.ArrayList<>(NO_NETWORK);
        configuration.add("lxc.mount.entry = " + shared + " mnt none bind 0 0");
        lxcA.create(name, configuration);
        lxcA.start(name);
        long init = lxcA.initPid(name);
        long before = lxcA.awaitCounterAbove(name, 2);

        Commands.Result result = cluster.clientLive(cluster.a, "migrate", "lxc:" + name, "--to", cluster.b.name)
                .result(MIGRATE_SECONDS);
        String text = result.output();
        System.out.println("LxcMigrationIT bind mount, migrate printed:\n" + text);
        assertNotEquals("migrate fails:\n" + text, 0, result.exitCode());
        assertTrue("the error names the folder:\n" + text, text.contains("bind mount source " + shared));
        JsonNode record = cluster.record(cluster.a, new MigrateOutput(result.stdout()).id());
        assertEquals("refused in the checks:\n" + record.toPrettyString(), "CHECKS",
                record.path("error").path("phase").asText());
        assertEquals("the same init runs on A", init, lxcA.initPid(name));
        assertTrue("its counter goes on", lxcA.awaitCounterAbove(name, before) > before);
        assertFalse("nothing was made on B", lxcB.exists(name));
    }

    /** The plugin's jar leaves hlxc2B's deploy folder: lxc goes from hlxc2B, a migration there is refused, A runs on. */
    @Test
    public void removingThePluginTakesTheBackendAwayAndMigrationsThereAreRefused() throws Exception {
        String name = name("unplugged");
        lxcA.create(name, NO_NETWORK);
        lxcA.start(name);
        long init = lxcA.initPid(name);
        long before = lxcA.awaitCounterAbove(name, 2);
        Files.delete(cluster.b.state.resolve("deploy/plugin-lxc.jar"));
        Commands.Result result;
        try {
            awaitNoBackend(cluster.b);
            result = cluster.clientLive(cluster.a, "migrate", "lxc:" + name, "--to", cluster.b.name)
                    .result(MIGRATE_SECONDS);
        } finally {
            deployPlugin(cluster.b);
            awaitBackend(cluster.b, lxcB.lxcpath);
        }
        String text = result.output();
        System.out.println("LxcMigrationIT plugin removed, migrate printed:\n" + text);
        assertNotEquals("migrate fails:\n" + text, 0, result.exitCode());
        assertTrue("the error says B has no lxc backend:\n" + text, text.contains("no 'lxc' backend"));
        assertEquals("the same init runs on at A", init, lxcA.initPid(name));
        assertTrue("its counter goes on", lxcA.awaitCounterAbove(name, before) > before);
        assertFalse("nothing was made on B", lxcB.exists(name));
    }

    /**
     * The plugin's jar leaves hlxc2A's deploy folder while its container is frozen and its images travel (48 MiB in
     * its /dev/shm, stop-and-copy, the transfer capped until lxc is gone): the migration fails with the backend gone,
     * CRIU resumes the container at hlxc2A as it was, lxc vanishes from hlxc2A's ps, and nothing is left on hlxc2B.
     */
    @Test
    public void removingThePluginFromTheSourceMidMigrationRollsBackAndLxcVanishes() throws Exception {
        String name = name("unplugmid");
        lxcA.create(name, NO_NETWORK, "/bin/sh -c 'head -c 50331648 /dev/urandom > /dev/shm/ballast'");
        lxcB.forget(name);
        lxcA.start(name);
        long init = lxcA.initPid(name);
        List<Path> cgroupsOnA = lxcA.cgroups(name);
        Path ballast = Path.of("/proc", Long.toString(init), "root/dev/shm/ballast");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!(Files.exists(ballast) && Files.size(ballast) == 50331648L) && System.nanoTime() < deadline) {
            Thread.sleep(100); // polled: the container tells nobody when its ballast is written
        }
        String ballastSum = sh("md5sum < " + ballast);
        long before = lxcA.awaitCounterAbove(name, 2);

        cluster.capTransfers("4mbit"); // 48 MiB: over a minute on the wire, lifted once lxc is gone
        Commands.Result result;
        String phaseWhenGone;
        try (LiveCommand migrate = cluster.clientLive(cluster.a, "migrate", "lxc:" + name, "--to", cluster.b.name,
                "--strategy", "none")) {
            migrate.awaitLine(l -> l.contains("TRANSFER"), MIGRATE_SECONDS).orElseThrow(() ->
                    new AssertionError("the transfer never began:\n" + migrate.output()));
            Files.delete(cluster.a.state.resolve("deploy/plugin-lxc.jar"));
            awaitNoBackend(cluster.a);
            phaseWhenGone = migrate.output();
            cluster.uncapLink();
            result = migrate.result(MIGRATE_SECONDS);
        } finally {
            cluster.uncapLink();
            deployPlugin(cluster.a);
            awaitBackend(cluster.a, lxcA.lxcpath);
        }
        String text = result.output();
        System.out.println("LxcMigrationIT plugin removed mid-migration, migrate printed:\n" + text);
        assertFalse("lxc went while the images travelled, not later:\n" + phaseWhenGone,
                phaseWhenGone.contains("RESTORE"));
        assertNotEquals("migrate fails:\n" + text, 0, result.exitCode());
        assertTrue("it says the backend went away:\n" + text, text.contains("'lxc' backend went away"));
        assertTrue("it says the container keeps running here:\n" + text,
                text.contains("lxc:" + name + " keeps running here"));
        JsonNode record = cluster.record(cluster.a, new MigrateOutput(result.stdout()).id());
        assertEquals("rolled back:\n" + record.toPrettyString(), "ROLLED_BACK", record.path("outcome").asText());

        assertTrue("LXC on A says it runs", lxcA.running(name));
        assertEquals("the same init runs on A", init, lxcA.initPid(name));
        assertTrue("its counter goes on from its memory", lxcA.awaitCounterAbove(name, before) > before);
        assertEquals("its ballast is intact", ballastSum, sh("md5sum < " + ballast));
        assertEquals("its cgroups are the same", cgroupsOnA, lxcA.cgroups(name));
        assertFalse("nothing of it on hlxc2B", lxcB.exists(name));
        assertEquals("no cgroup of it but A's", List.of(), LxcHost.otherCgroups(name, cgroupsOnA));
        assertEquals("no images left", List.of(), cluster.leftoverImages());
    }

    /**
     * Waits until the agent lists no lxc backend, checking meanwhile that its ps lists no lxc container; polled:
     * FileInstall tells nobody outside the agent.
     */
    private static void awaitNoBackend(TwoHostCluster.Agent agent) throws Exception {
        long deadline = System.nanoTime() + BACKEND_SECONDS * 1_000_000_000L;
        JsonNode backends = cluster.json(agent, "backends", "--json");
        while (backends.findParents("name").stream().anyMatch(n -> n.path("name").asText().equals("lxc"))) {
            assertTrue("lxc gone from " + agent.name + " within " + BACKEND_SECONDS + " s: " + backends,
                    System.nanoTime() < deadline);
            Thread.sleep(200);
            backends = cluster.json(agent, "backends", "--json");
        }
        JsonNode listed = cluster.json(agent, "ps", "--json");
        assertFalse(agent.name + "'s ps lists no lxc container once lxc is gone: " + listed,
                listed.toString().contains("\"lxc:"));
    }

    /**
     * A Debian 12 container (debootstrap, cached) whose init is Debian's redis-server, with a veth on hlxc2A's bridge:
     * a client on hlxc2C keeps one connection to it through the move. On hlxc2B the same connection answers, the
     * counter it incremented goes on from Redis's memory, the value it set is there, the dump Redis saved into the
     * root file system and a file written there arrived intact; nothing of it is left on hlxc2A.
     */
    @Test
    public void aDebianContainerRunningRedisMovesLiveWithItsDataItsFilesAndItsClientsConnection() throws Exception {
        LxcHost.DebianRootfs debian = LxcHost.debianRootfs();
        Assume.assumeTrue("no Debian root file system: " + debian.whyNot(), debian.whyNot().isEmpty());
        String name = name("redis");
        String address = cluster.segmentAddress(52);
        String hostEnd = "lxc2v52";
        Path rootfs = lxcA.createDebian(name, debian.tarball(), List.of("lxc.net.0.type = veth",
                "lxc.net.0.link = " + ContainerNetwork.HOSTS_BRIDGE, "lxc.net.0.veth.pair = " + hostEnd,
                "lxc.net.0.name = eth0", "lxc.net.0.hwaddr = 02:00:a9:fe:5d:34",
                "lxc.net.0.ipv4.address = " + address + "/24", "lxc.net.0.flags = up",
                // the service is the init: Debian's systemd cannot be dumped (see the systemd test below)
                "lxc.init.cmd = /usr/bin/redis-server /etc/redis/haul.conf"));
        Files.writeString(rootfs.resolve("etc/redis/haul.conf"), String.join("\n", "bind 0.0.0.0", "port 6379",
                "protected-mode no", "daemonize no", "save \"\"", "dir /var/lib/redis", "logfile \"\"") + "\n");
        lxcB.forget(name);
        lxcA.start(name);
        long initOnA = lxcA.initPid(name);
        List<Path> cgroupsOnA = lxcA.cgroups(name);
        String born = UUID.randomUUID().toString();
        Files.writeString(rootfs.resolve("root/born-here"), born);
        try (RedisClient client = RedisClient.connect(cluster.hostC(), address, 6379, 60)) {
            client.call("SET", "haul:born", born);
            long count = 0;
            for (int i = 0; i < 100; i++) {
                count = client.incr("haul:count");
            }
            assertEquals("Redis counted on A", 100, count);
            assertEquals("Redis saved its data into the root file system", "OK", client.call("SAVE"));
            String dumpSum = sh("md5sum < " + rootfs.resolve("var/lib/redis/dump.rdb"));

            Commands.Result result = cluster.migrateToB("lxc:" + name, "LxcMigrationIT Debian with Redis,", MIGRATE_SECONDS);

            assertEquals("the same connection answers on B, and the counter goes on from Redis's memory", 101,
                    client.incr("haul:count"));
            assertEquals("the value set on A is in Redis on B", born, client.call("GET", "haul:born"));
            assertTrue("LXC on B says it runs", lxcB.running(name));
            Path rootfsB = lxcB.lxcpath.resolve(name).resolve("rootfs");
            assertEquals("Redis's dump arrived intact", dumpSum, sh("md5sum < " + rootfsB.resolve(
                    "var/lib/redis/dump.rdb")));
            assertEquals("the file written on A is on B", born, Files.readString(rootfsB.resolve("root/born-here")));
            assertTrue("the host end is on hlxc2B's bridge", sh("ip -n " + cluster.b.name + " -o link show " + hostEnd)
                    .contains("master " + ContainerNetwork.HOSTS_BRIDGE));
            try (RedisClient another = RedisClient.connect(cluster.hostC(), address, 6379, 30)) {
                assertEquals("a new connection reaches Redis on B", "102", another.call("INCR", "haul:count"));
            }
            double frozen = new MigrateOutput(result.stdout()).frozenMillis().orElse(-1.0);
            System.out.printf(java.util.Locale.ROOT, "LxcMigrationIT FIGURE: Debian with Redis frozen %.0f ms%n",
                    frozen);
        }
        assertFalse("its init " + initOnA + " ended on A", Procs.alive(initOnA));
        assertFalse("LXC destroyed it on A", lxcA.exists(name));
        assertEquals("nothing left of A's cgroups " + cgroupsOnA, List.of(), Cgroups.left(cgroupsOnA));
        assertNotEquals("the host end is gone from hlxc2A", 0, Commands.run(List.of("ip", "-n", cluster.a.name,
                "link", "show", hostEnd), 30).exitCode());
        assertEquals("no images left", List.of(), cluster.leftoverImages());
    }

    /**
     * A Debian 12 container booting Debian's systemd as its init: once systemd is up, ps says why it cannot move (its
     * credentials' ramfs mounts and its BPF programs, which CRIU cannot dump), and a migration is refused before
     * anything freezes saying so, systemd running on at hlxc2A.
     */
    @Test
    public void aDebianContainerBootingSystemdIsRefusedBeforeFreezingSayingWhatCriuCannotDump() throws Exception {
        LxcHost.DebianRootfs debian = LxcHost.debianRootfs();
        Assume.assumeTrue("no Debian root file system: " + debian.whyNot(), debian.whyNot().isEmpty());
        String name = name("systemd");
        lxcA.createDebian(name, debian.tarball(), List.of("lxc.net.0.type = empty"));
        lxcA.start(name);
        long init = lxcA.initPid(name);
        Path exe = Files.readSymbolicLink(Path.of("/proc", Long.toString(init), "exe"));
        assertTrue("its init is Debian's systemd: " + exe, exe.toString().endsWith("/lib/systemd/systemd"));
        long deadline = System.nanoTime() + 60_000_000_000L;
        String why = "";
        while (!(why.contains("ramfs") && why.contains("BPF programs")) && System.nanoTime() < deadline) {
            Thread.sleep(500); // polled: systemd tells nobody outside when it has booted
            why = reason(cluster.json(cluster.a, "ps", "lxc", "--json"), name);
        }
        assertTrue("ps says why once systemd is up: " + why, why.contains("ramfs mounts /run/credentials/")
                && why.contains("BPF programs"));

        Commands.Result result = cluster.clientLive(cluster.a, "migrate", "lxc:" + name, "--to", cluster.b.name)
                .result(MIGRATE_SECONDS);
        String text = result.output();
        System.out.println("LxcMigrationIT Debian with systemd, migrate printed:\n" + text);
        assertNotEquals("migrate fails:\n" + text, 0, result.exitCode());
        assertTrue("the error names what CRIU cannot dump:\n" + text, text.contains("CRIU cannot dump ramfs")
                && text.contains("BPF programs"));
        assertTrue("refused before anything froze:\n" + text, text.contains("lxc:" + name + " cannot be migrated"));
        assertTrue("systemd runs on at A", lxcA.running(name));
        assertEquals("the same init", init, lxcA.initPid(name));
        assertFalse("nothing was made on B", lxcB.exists(name));
    }

    private static String reason(JsonNode listed, String name) {
        return listed.findParents("whyNot").stream().filter(n -> n.toString().contains(name))
                .map(n -> n.path("whyNot").asText()).findFirst().orElse("(not listed)");
    }
}
