package io.haul.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.haul.api.migration.Phase;
import io.haul.itests.Requirements.HostNeeds;
import io.haul.itests.Requirements.Need;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Haul's event-bus API from outside the agents, as another service uses it: the example client
 * ({@code runtime/bus-client}) in JVMs of its own on hostA, as a member of the agents' cluster (a Hazelcast lite
 * member whose event bus proves itself with a certificate of the cluster CA) and through agent A's TCP bridge. It
 * starts migrations of real trees between the two agents, follows every event, cancels one; certificates of
 * another CA and a read-only principal are refused with nothing started; malformed, oversized and unknown-version
 * messages to each request address get failure replies while a migration runs beside.
 *
 * <p>Hosts {@code haulbusA}/{@code haulbusB} at 169.254.86.1/.2, so it runs beside the other classes' clusters.
 */
@HostNeeds({Need.ROOT, Need.UNSHARE, Need.CRIU})
public class EventBusIT {

    private static final int MIB = 32;
    private static final long CLIENT_SECONDS = 240;
    /** A member whose event bus nobody answers gives up after this (a refused certificate). */
    private static final String REFUSED_TIMEOUT = "8";
    /** How long the slow link holds what a bridge client sends: its TLS handshake takes twice that at least. */
    private static final int SLOW_LINK_SECONDS = 6;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> REQUESTS = List.of("haul.migration.start", "haul.migration.get",
            "haul.migration.list", "haul.migration.cancel", "haul.migration.catchup", "haul.agent.list",
            "haul.agent.containers", "haul.agent.check");

    private static TwoHostCluster cluster;
    private static Path operator;
    private static Path watcher;
    private static Path rogue;

    private final List<Workload> trees = new ArrayList<>();

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = TwoHostCluster.start(EventBusIT.class, new TwoHostCluster.Options()
                .hosts("haulbusA", "169.254.86.1", "haulbusB", "169.254.86.2")
                .configuration("haul.eventbus.cfg", "operators=operator\n"));
        // an operator's name on a certificate of another CA: made first, and moved out of the way of the real one
        rogue = cluster.work.resolve("certs-rogue");
        Files.move(cluster.certificate("operator", "rogue-ca"), rogue);
        operator = cluster.certificate("operator", null);
        watcher = cluster.certificate("watcher", null);
    }

    @AfterClass
    public static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @After
    public void stopTrees() throws Exception {
        for (Workload tree : trees) {
            tree.close();
        }
        trees.clear();
        cluster.uncapLink();
    }

    private Workload tree(String name, int mib) throws Exception {
        Workload tree = Workload.single(cluster, name, mib);
        trees.add(tree);
        return tree;
    }

    // ---- the client --------------------------------------------------------------------------------------

    /** The example client's command line on hostA: a cluster member, or a client of agent A's bridge. */
    private static List<String> client(boolean bridge, Path certificates, String... args) {
        return client(bridge ? cluster.a.ip + ":7079" : null, certificates, args);
    }

    /** The example client's command line on hostA: a client of the bridge at {@code bridge}, a member when null. */
    private static List<String> client(String bridge, Path certificates, String... args) {
        List<String> command = new ArrayList<>(List.of(Commands.which("nsenter").toString(),
                "--net=/run/netns/" + cluster.a.name, TwoHostCluster.java(), "--sun-misc-unsafe-memory-access=allow",
                "--add-modules", "java.se", "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
                "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-opens", "java.management/sun.management=ALL-UNNAMED",
                "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
                "-jar", System.getProperty("haul.busclient.jar")));
        if (bridge != null) {
            command.addAll(List.of("--bridge", bridge));
        } else {
            command.addAll(List.of("--cluster", "haulit", "--members", cluster.a.ip + "," + cluster.b.ip,
                    "--bind", cluster.a.ip));
        }
        command.addAll(List.of("--tls", certificates.toString()));
        command.addAll(List.of(args));
        return command;
    }

    private static Commands.Result run(boolean bridge, Path certificates, String... args) throws Exception {
        return Commands.run(client(bridge, certificates, args), CLIENT_SECONDS);
    }

    private static LiveCommand live(boolean bridge, Path certificates, String... args) throws IOException {
        return cluster.own(LiveCommand.start(client(bridge, certificates, args)));
    }

    private static int migrationCount() throws Exception {
        return cluster.json(cluster.a, "migrations", "--json").path("migrations").size();
    }

    // ---- tests -------------------------------------------------------------------------------------------

    @Test
    public void aMemberStartsAMigrationFollowsEveryEventAndCancelsAnother() throws Exception {
        followAndCancel(false);
    }

    @Test
    public void aBridgeClientStartsAMigrationFollowsEveryEventAndCancelsAnother() throws Exception {
        followAndCancel(true);
    }

    private void followAndCancel(boolean bridge) throws Exception {
        String how = bridge ? "bridge client" : "member";
        Workload tree = tree(bridge ? "bus-bridge" : "bus-member", MIB);
        long before = tree.awaitCountAbove(1, 30).count();
        // a member without a certificate of the cluster CA subscribes to every event: it must hear none
        LiveCommand eavesdropper = bridge ? null : live(false, rogue, "--timeout", "600", "events");
        if (eavesdropper != null) {
            assertTrue("the eavesdropper's subscription is in place (Hazelcast knows it):\n" + eavesdropper.output(),
                    eavesdropper.awaitLine(l -> l.startsWith("subscribed"), 60).isPresent());
        }

        long begin = System.nanoTime();
        Commands.Result migrate = run(bridge, operator, "--json", "migrate", "process:" + tree.root(),
                "--from", cluster.a.name, "--to", cluster.b.name);
        double seconds = (System.nanoTime() - begin) / 1e9;
        assertEquals("the " + how + "'s migrate exits 0:\n" + migrate.output(), 0, migrate.exitCode());
        List<JsonNode> lines = new ArrayList<>();
        for (String line : migrate.stdout().lines().toList()) {
            lines.add(JSON.readTree(line));
        }
        String id = lines.getFirst().path("migration").path("id").asText();
        List<JsonNode> events = lines.subList(1, lines.size());
        List<String> phases = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            JsonNode event = events.get(i);
            assertEquals("every message names version 1: " + event, 1, event.path("v").asInt());
            assertEquals("the events are numbered 1, 2, 3... with none missing: " + event, i + 1, event.path("seq").asLong());
            assertEquals(id, event.path("event").path("migrationId").asText());
            phases.add(event.path("event").path("phase").asText());
        }
        for (int i = 1; i < phases.size(); i++) {
            assertTrue("phases come in order: " + phases, Phase.valueOf(phases.get(i - 1)).compareTo(Phase.valueOf(phases.get(i))) <= 0);
        }
        for (Phase phase : List.of(Phase.HANDSHAKE, Phase.CHECKS, Phase.PRECOPY, Phase.FINAL_DUMP, Phase.TRANSFER,
                Phase.RESTORE, Phase.COMMIT)) {
            assertTrue("an event of " + phase + " reached the " + how + ": " + phases, phases.contains(phase.name()));
        }
        JsonNode last = events.getLast();
        assertEquals("the last event is the outcome", "SUCCEEDED", last.path("event").path("outcome").asText());
        JsonNode record = cluster.record(cluster.a, id);
        assertEquals("the last event's statistics are the record's", record.path("statistics"),
                last.path("migration").path("statistics"));
        assertTrue("the record has figures: " + record.path("statistics"), record.path("statistics").path("bytesOnWire").asLong() > 0);
        tree.assertOneRunningCopy(cluster.b.name, before);
        System.out.printf(Locale.ROOT, "EventBusIT: the %s's migrate took %.1f s (JVM start and join included), %d events%n",
                how, seconds, events.size());
        if (eavesdropper != null) {
            ProcessHandle.of(eavesdropper.pid()).ifPresent(ProcessHandle::destroy); // SIGTERM: it leaves the cluster
            assertTrue("the eavesdropper stops on SIGTERM", eavesdropper.awaitEnd(30));
            assertFalse("the member with another CA's certificate heard no event:\n" + eavesdropper.output(),
                    eavesdropper.stdoutLines().stream().anyMatch(l -> l.startsWith("{")));
        }

        // a second migration, slowed by a cap on its transfers, cancelled over the bus while it pre-copies
        Workload second = tree(bridge ? "bus-bridge-cancel" : "bus-member-cancel", MIB);
        long secondBefore = second.awaitCountAbove(1, 30).count();
        cluster.capTransfers("8mbit"); // pre-copy of 32 MiB takes ~35 s: a cancel started by a JVM of its own arrives in it
        LiveCommand slow = live(bridge, operator, "migrate", "process:" + second.root(), "--from", cluster.a.name,
                "--to", cluster.b.name);
        String first = slow.awaitLine(l -> l.startsWith("migration "), CLIENT_SECONDS)
                .orElseThrow(() -> new AssertionError("migrate printed no migration id:\n" + slow.output()));
        String secondId = first.substring("migration ".length(), first.indexOf(':'));
        assertTrue("the migration pre-copies:\n" + slow.output(),
                slow.awaitLine(l -> l.contains(" PRECOPY "), CLIENT_SECONDS).isPresent());
        Commands.Result cancel = run(bridge, operator, "cancel", secondId);
        assertEquals("the " + how + "'s cancel exits 0:\n" + cancel.output(), 0, cancel.exitCode());
        Commands.Result cancelled = slow.result(CLIENT_SECONDS);
        assertEquals("migrate exits 1, the migration not done:\n" + cancelled.output(), 1, cancelled.exitCode());
        assertTrue("its last event says CANCELLED:\n" + cancelled.output(), cancelled.stdout().contains("-> CANCELLED"));
        assertEquals("CANCELLED", cluster.record(cluster.a, secondId).path("outcome").asText());
        cluster.uncapLink();
        second.assertOneRunningCopy(cluster.a.name, secondBefore);
    }

    /**
     * A bridge client whose TLS handshake takes longer than the bridge once allowed (10 s, while a client JVM starting
     * at load 30 took longer): a link that holds what the client sends for 6 s makes the handshake take over 12 s,
     * whatever the load. The bridge had closed such a connection after 10 s, one the client already took for made
     * (TLS 1.3 ends the client's part first), and the client's request was never answered. Now it is served, and a
     * connection the bridge closes is said so, not waited on.
     */
    @Test
    public void aBridgeClientWhoseTlsHandshakeIsSlowIsServed() throws Exception {
        Path script = Path.of(System.getProperty("haul.home", "..")).toAbsolutePath().normalize()
                .resolve("itests/src/test/resources/eventbus/slow-link.pl");
        String linkPort = "17079";
        try (LiveCommand link = LiveCommand.start(List.of(Commands.which("nsenter").toString(),
                "--net=/run/netns/" + cluster.a.name, Commands.which("perl").toString(), script.toString(),
                cluster.a.ip, linkPort, cluster.a.ip, "7079", Integer.toString(SLOW_LINK_SECONDS)))) {
            assertTrue("the slow link listens:\n" + link.output(), link.awaitLine("listening"::equals, 30).isPresent());
            long begin = System.nanoTime();
            Commands.Result agents = Commands.run(client(cluster.a.ip + ":" + linkPort, watcher, "agents"),
                    CLIENT_SECONDS);
            double seconds = (System.nanoTime() - begin) / 1e9;
            assertEquals("the client behind a slow link lists the agents (exit 0):\n" + agents.output() + link.output(),
                    0, agents.exitCode());
            assertTrue("both agents listed:\n" + agents.output(),
                    agents.stdout().contains(cluster.a.name) && agents.stdout().contains(cluster.b.name));
            System.out.printf(Locale.ROOT, "EventBusIT: through a link %d s slow, the bridge client listed the agents "
                    + "in %.1f s (JVM start included)%n", SLOW_LINK_SECONDS, seconds);
        }
    }

    @Test
    public void anotherCasCertificateOrAReadOnlyPrincipalStartsNothing() throws Exception {
        Workload tree = tree("bus-refused", MIB);
        long before = tree.awaitCountAbove(1, 30).count();
        int migrations = migrationCount();
        String[] start = {"--timeout", REFUSED_TIMEOUT, "migrate", "process:" + tree.root(), "--from", cluster.a.name,
                "--to", cluster.b.name};

        Commands.Result rogueMember = run(false, rogue, start);
        assertEquals("a member with another CA's certificate gets no answer (exit 2):\n" + rogueMember.output(), 2,
                rogueMember.exitCode());
        Commands.Result rogueBridge = run(true, rogue, start);
        assertEquals("the bridge refuses another CA's certificate (exit 2):\n" + rogueBridge.output(), 2,
                rogueBridge.exitCode());
        for (boolean bridge : List.of(false, true)) {
            Commands.Result readOnly = run(bridge, watcher, start);
            assertEquals("a watcher's start is refused (exit 3):\n" + readOnly.output(), 3, readOnly.exitCode());
            assertTrue("with auth.forbidden:\n" + readOnly.output(),
                    readOnly.stdout().contains("failed 403 auth.forbidden: watcher may watch migrations but not start"));
            Commands.Result watch = run(bridge, watcher, "agents");
            assertEquals("a watcher lists the agents:\n" + watch.output(), 0, watch.exitCode());
            assertTrue(watch.stdout().contains(cluster.b.name));
        }
        assertEquals("no migration was started", migrations, migrationCount());
        tree.assertOneRunningCopy(cluster.a.name, before);
    }

    @Test
    public void malformedOversizedAndUnknownVersionMessagesGetFailuresWhileAMigrationRunsBeside() throws Exception {
        Workload beside = tree("bus-beside", MIB);
        long before = beside.awaitCountAbove(1, 30).count();
        cluster.capTransfers("16mbit"); // pre-copy of 32 MiB takes ~17 s, in which the bad messages arrive
        LiveCommand migrate = cluster.clientLive(cluster.a, "migrate", "process:" + beside.root(), "--to", cluster.b.name);
        assertTrue("the migration beside runs:\n" + migrate.output(),
                migrate.awaitLine(l -> l.contains("PRECOPY"), CLIENT_SECONDS).isPresent());

        String oversized = "{\"v\":1,\"id\":\"" + "x".repeat(70_000) + "\"}";
        Map<String, String> expected = Map.of("{\"v\":1, not json", "failed 400 request.malformed: ",
                oversized, "failed 413 request.too-large: ", "{\"v\":99,\"id\":\"x\"}", "failed 426 request.version: ",
                "[1,2,3]", "failed 400 request.malformed: ");
        List<String> args = new ArrayList<>(List.of("send"));
        List<String> wanted = new ArrayList<>();
        for (String address : REQUESTS) {
            for (Map.Entry<String, String> bad : expected.entrySet()) {
                args.add(address);
                args.add(bad.getKey());
                wanted.add(address + " " + bad.getValue());
            }
        }
        // an unknown value, a container that does not exist: refused before anything starts
        args.addAll(List.of("haul.migration.start", "{\"v\":1,\"source\":\"" + cluster.a.name
                + "\",\"container\":\"process\",\"destination\":\"" + cluster.b.name + "\"}"));
        wanted.add("haul.migration.start failed 400 request.invalid: ");
        args.addAll(List.of("haul.migration.start", "{\"v\":1,\"source\":\"" + cluster.a.name
                + "\",\"container\":\"process:999999999\",\"destination\":\"" + cluster.b.name + "\"}"));
        wanted.add("haul.migration.start failed 404 container.not-found: ");
        args.addAll(List.of("haul.migration.list", "{\"v\":1,\"outcome\":\"MAYBE\"}"));
        wanted.add("haul.migration.list failed 400 request.invalid: ");
        args.addAll(List.of("haul.agent.check", "{\"v\":1,\"agent\":\"nobody\"}"));
        wanted.add("haul.agent.check failed 404 agent.not-found: ");
        args.addAll(List.of("haul.migration.get", "{\"v\":1}"));
        wanted.add("haul.migration.get failed 400 request.invalid: ");

        for (boolean bridge : List.of(false, true)) {
            Commands.Result sent = run(bridge, operator, args.toArray(String[]::new));
            assertEquals("send exits 0:\n" + sent.output(), 0, sent.exitCode());
            List<String> answers = sent.stdout().lines().toList();
            assertEquals("one answer per message:\n" + sent.output(), wanted.size(), answers.size());
            for (int i = 0; i < wanted.size(); i++) {
                String address = wanted.get(i).substring(0, wanted.get(i).indexOf(' '));
                String failure = wanted.get(i).substring(address.length() + 1);
                assertTrue((bridge ? "bridge: " : "member: ") + address + " answers '" + failure + "...', was: "
                        + answers.get(i), answers.get(i).startsWith(failure));
            }
        }
        System.out.println("EventBusIT: the bad messages were answered " + (migrate.isAlive()
                ? "while the migration beside ran" : "after the migration beside ended (a slow machine)"));
        Commands.Result result = migrate.result(CLIENT_SECONDS);
        assertEquals("the migration beside succeeded:\n" + result.output(), 0, result.exitCode());
        cluster.uncapLink();
        beside.assertOneRunningCopy(cluster.b.name, before);
        assertTrue("both agents still run", cluster.a.alive() && cluster.b.alive());
    }
}
