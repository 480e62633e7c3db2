package io.haul.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.haul.itests.Requirements.HostNeeds;
import io.haul.itests.Requirements.Need;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The migration records as the state plane keeps them (issue #11, items 3 and 4), on two real agents (hosts
 * stateA and stateB, 169.254.94.0/24) with migrations held at a step by the engine's test hold ({@code testHoldAt}
 * {@code source:COMMIT} before the commit point, {@code source:COMMITTED} just after it; released by a file in the
 * migration's folder on hostA):
 * <ul>
 * <li>both agents killed -9 just after the commit point, with the cluster's memory gone with them: started again,
 * they settle the migration from the records on their disks, exactly one copy runs, on hostB, and the record says
 * SUCCEEDED; both agents still list the migration; killed just before it, it rolls back to the copy on hostA;</li>
 * <li>a stranger, a Hazelcast member with no certificate on hostC, joins while a migration is held before its
 * commit point and writes a COMMIT into its record and a cancel: the agents log it, naming the member, and act on
 * neither; released, the migration commits and ends with exactly one copy, on hostB.</li>
 * </ul>
 */
@HostNeeds({Need.ROOT, Need.UNSHARE, Need.CRIU})
public class StatePlaneIT {

    private static final int MIB = 16;
    private static final int HELD_SECONDS = 120;

    private static TwoHostCluster cluster;
    private Workload tree;

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = TwoHostCluster.start(StatePlaneIT.class, new TwoHostCluster.Options()
                .hosts("stateA", "169.254.94.1", "stateB", "169.254.94.2").clusterName("haulstate")
                .engineSetting("testHoldAt", "source:COMMIT,source:COMMITTED"));
    }

    @AfterClass
    public static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Before
    public void healthyCluster() throws Exception {
        String repaired = cluster.ensureHealthy();
        if (!repaired.isEmpty()) {
            System.out.println("StatePlaneIT: before the test, " + repaired);
        }
    }

    @After
    public void endTree() throws Exception {
        if (tree != null) {
            tree.close();
        }
    }

    @Test
    public void bothAgentsKilledAtTheCommitPointSettleFromTheirDisks() throws Exception {
        tree = Workload.single(cluster, "commit-kill", MIB);
        Workload.Status before = tree.awaitCountAbove(2, 30);
        LiveCommand migrate = cluster.clientLive(cluster.a, "migrate", "process:" + tree.root(), "--to", cluster.b.name);
        String id = migrationId(migrate);
        awaitHeld(id, "source:COMMIT");
        release(id);
        awaitHeld(id, "source:COMMITTED");
        // the record in the cluster has passed its commit point; neither copy has been told yet
        cluster.b.kill();
        cluster.a.kill();
        assertTrue("migrate ended with its agent", migrate.awaitEnd(30));

        long begin = System.nanoTime();
        cluster.a.start();
        awaitLog(cluster.a, "waiting for agent " + cluster.b.name + " to rejoin", 60);
        cluster.b.start();
        cluster.awaitCluster(TwoHostCluster.CLUSTER_SECONDS);
        JsonNode record = awaitOutcome(cluster.b, id, 60);
        System.out.printf(Locale.ROOT, "StatePlaneIT: both agents restarted, migration %s settled %.1f s after the "
                + "first start: %s on %s%n", id, (System.nanoTime() - begin) / 1e9, record.path("outcome").asText(),
                record.path("destination").asText());
        assertEquals("the record says the destination is the container:\n" + record.toPrettyString(), "SUCCEEDED",
                record.path("outcome").asText());
        assertEquals(cluster.b.name, record.path("destination").asText());
        assertEquals("hostA reads the same record", "SUCCEEDED", cluster.record(cluster.a, id).path("outcome").asText());
        tree.assertOneRunningCopy(cluster.b.name, before.count());
        for (TwoHostCluster.Agent agent : List.of(cluster.a, cluster.b)) {
            assertTrue("haul migrations on " + agent + " still lists " + id,
                    cluster.client(agent, "migrations").stdout().contains(id.substring(0, 8)));
        }
    }

    @Test
    public void bothAgentsKilledJustBeforeTheCommitPointRollBack() throws Exception {
        tree = Workload.single(cluster, "before-commit-kill", MIB);
        Workload.Status before = tree.awaitCountAbove(2, 30);
        LiveCommand migrate = cluster.clientLive(cluster.a, "migrate", "process:" + tree.root(), "--to", cluster.b.name);
        String id = migrationId(migrate);
        awaitHeld(id, "source:COMMIT");
        // restored and held on B, frozen on A, the record short of its commit point
        cluster.b.kill();
        cluster.a.kill();
        assertTrue("migrate ended with its agent", migrate.awaitEnd(30));

        cluster.b.start(); // the destination first, this time
        awaitLog(cluster.b, "waiting for agent " + cluster.a.name + " to rejoin", 60);
        cluster.a.start();
        cluster.awaitCluster(TwoHostCluster.CLUSTER_SECONDS);
        JsonNode record = awaitOutcome(cluster.a, id, 60);
        assertEquals("the record says the source kept the container:\n" + record.toPrettyString(), "ROLLED_BACK",
                record.path("outcome").asText());
        assertEquals("agent.restarted", record.path("error").path("code").asText());
        assertEquals("hostB reads the same record", "ROLLED_BACK", cluster.record(cluster.b, id).path("outcome").asText());
        tree.assertOneRunningCopy(cluster.a.name, before.count());
    }

    @Test
    public void aStrangersCommitAndCancelAreIgnored() throws Exception {
        tree = Workload.single(cluster, "stranger", MIB);
        Workload.Status before = tree.awaitCountAbove(2, 30);
        LiveCommand migrate = cluster.clientLive(cluster.a, "migrate", "process:" + tree.root(), "--to", cluster.b.name);
        String id = migrationId(migrate);
        awaitHeld(id, "source:COMMIT");

        Commands.Result rogue = rogue(id);
        System.out.println("StatePlaneIT: the stranger printed:\n" + rogue.output());
        assertEquals("the stranger joined and wrote:\n" + rogue.output(), 0, rogue.exitCode());
        String stranger = "written by member [" + cluster.segmentAddress(3) + "]:5701";
        for (TwoHostCluster.Agent agent : List.of(cluster.a, cluster.b)) {
            String line = awaitLog(agent, "ignored a record of migration " + id + " " + stranger, 30);
            System.out.println("StatePlaneIT: " + agent + " logged: " + line);
            assertTrue("the line says it was not the agents' signature: " + line, line.contains("signature"));
        }
        JsonNode held = cluster.record(cluster.b, id);
        assertEquals("the record as the agents read it is the source's:\n" + held.toPrettyString(), "RESTORE",
                held.path("phase").asText());

        release(id);
        awaitHeld(id, "source:COMMITTED");
        release(id);
        Commands.Result result = migrate.result(120);
        System.out.println("StatePlaneIT: migrate printed:\n" + result.output());
        assertEquals("the migration succeeded as if the stranger had written nothing:\n" + result.output(), 0,
                result.exitCode());
        JsonNode record = cluster.record(cluster.a, id);
        assertEquals("SUCCEEDED", record.path("outcome").asText());
        tree.assertOneRunningCopy(cluster.b.name, before.count());
        assertTrue("hostA named the stranger that joined:\n" + cluster.a.output(), cluster.a.logText()
                .contains("[" + cluster.segmentAddress(3) + "]:5701") && cluster.a.logText()
                .contains("is not among the configured members"));
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private static String migrationId(LiveCommand migrate) throws Exception {
        String first = migrate.awaitLine(l -> l.startsWith("migration "), 60)
                .orElseThrow(() -> new AssertionError("migrate printed no first line:\n" + migrate.output()));
        return MigrateOutput.idIn(first).orElseThrow(() -> new AssertionError("no id in: " + first));
    }

    /** Until hostA's agent logs that the migration is held at the point. */
    private static void awaitHeld(String id, String point) throws Exception {
        awaitLog(cluster.a, "migration " + id + ": held at " + point, HELD_SECONDS);
    }

    /** Lets the migration held on hostA go on. */
    private static void release(String id) throws Exception {
        Files.writeString(cluster.a.state.resolve("migrations").resolve(id).resolve("release-hold"), "");
        awaitLog(cluster.a, "migration " + id + ": released", 30);
    }

    private static String awaitLog(TwoHostCluster.Agent agent, String text, int seconds) throws Exception {
        return agent.awaitLog(text, seconds);
    }

    private static JsonNode awaitOutcome(TwoHostCluster.Agent agent, String id, int seconds) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        JsonNode record = cluster.record(agent, id);
        while ("IN_PROGRESS".equals(record.path("outcome").asText()) && System.nanoTime() < deadline) {
            Thread.sleep(200); // recovery writes the outcome; the test polls the record
            record = cluster.record(agent, id);
        }
        return record;
    }

    /** RogueMember (a resource, run by the source launcher) in hostC's namespace, Hazelcast from the agent jar. */
    private static Commands.Result rogue(String id) throws Exception {
        Path dir = Files.createDirectories(cluster.work.resolve("rogue"));
        Path source = dir.resolve("RogueMember.java");
        try (InputStream in = StatePlaneIT.class.getResourceAsStream("/rogue/RogueMember.java")) {
            Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
        }
        Path hazelcast = dir.resolve("hazelcast.jar");
        try (ZipFile runtime = new ZipFile(cluster.work.resolve("bin/haul.jar").toFile())) {
            ZipEntry jar = runtime.stream().filter(e -> e.getName().matches("jar/hazelcast-[0-9.]+\\.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("no Hazelcast jar in the agent's jar"));
            try (InputStream in = runtime.getInputStream(jar)) {
                Files.copy(in, hazelcast, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return Commands.run(List.of(Commands.which("nsenter").toString(), "--net=/run/netns/" + cluster.hostC(), java,
                "--add-modules", "java.se", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-cp", hazelcast.toString(), source.toString(),
                "haulstate", cluster.segmentAddress(3), cluster.a.ip + ":5701", id), 120);
    }
}
