package io.haul.itests;

import static org.hamcrest.CoreMatchers.containsString;
import static org.hamcrest.CoreMatchers.equalTo;
import static org.hamcrest.CoreMatchers.is;
import static org.hamcrest.CoreMatchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.google.protobuf.ByteString;
import io.haul.itests.Requirements.HostNeeds;
import io.haul.itests.Requirements.Need;
import io.haul.protocol.v1.Envelope;
import io.haul.protocol.v1.Hello;
import io.haul.protocol.v1.ImageFile;
import io.haul.protocol.v1.Prepare;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.ErrorCollector;

/**
 * What reaches an agent's migration port that is not a migration: bytes that are not TLS, TLS clients without
 * a certificate or with one of another CA, and a client of the cluster CA that breaks the protocol. Each is
 * refused, with a reason in hostB's log or an Error frame, while a real migration from hostA to hostB goes on
 * undisturbed. Also {@code migrate} of what is not a migratable tree, on hostA, at the same time.
 *
 * <p>The test's connections come from hostA's network namespace (the test thread enters it with setns), as
 * another agent's would.
 */
@HostNeeds({Need.ROOT, Need.UNSHARE, Need.CRIU})
public class BadInputIT {

    private static final int PORT = TwoHostCluster.TRANSPORT_PORT;
    private static final int MAX_FRAME_BYTES = 4 * 1024 * 1024; // io.haul.api.transport.Transport.MAX_FRAME_BYTES
    /** The page push stream that opens the bulk stream, empty: magic "HPP1", end tag, 0 pages (PagePushWriter). */
    private static final int PAGE_PUSH_MAGIC = 0x48505031;
    private static final int PAGE_PUSH_END = 0x7F;

    private static TwoHostCluster cluster;

    @Rule
    public final ErrorCollector errors = new ErrorCollector();

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = TwoHostCluster.start(BadInputIT.class, new TwoHostCluster.Options());
    }

    @AfterClass
    public static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    public void badInputOnTheMigrationPortIsRefusedAndDisturbsNoMigration() throws Exception {
        TwoHostCluster.Agent a = cluster.a;
        TwoHostCluster.Agent b = cluster.b;
        InetSocketAddress port = new InetSocketAddress(b.ip, PORT);
        Path valid = cluster.certificate("haulitC", null);
        Path foreign = cluster.certificate("intruder", "other-ca");
        SSLContext member = RawPeer.context(cluster.caCertificate(), valid.resolve("agent.pem"), valid.resolve("agent.key"));
        SSLContext anonymous = RawPeer.context(cluster.caCertificate(), null, null);
        SSLContext stranger = RawPeer.context(cluster.caCertificate(), foreign.resolve("agent.pem"),
                foreign.resolve("agent.key"));
        byte[] cpuinfo = cpuinfo();

        // a migration that lasts: 192 MiB of random pages, stop-and-copy, over 100 Mbit/s (about 16 s)
        Workload tree = Workload.single(cluster, "busy", 192);
        Workload.Status before = tree.awaitCountAbove(2, 30);
        cluster.capLink("100mbit");
        LiveCommand migrate = cluster.clientLive(a, "migrate", "process:" + tree.root(), "--to", b.name,
                "--strategy", "none");
        String id = MigrateOutput.idIn(migrate.awaitLine(l -> l.startsWith("migration "), 60).orElseThrow(
                () -> new AssertionError("migrate printed nothing:\n" + migrate.output()))).orElseThrow();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (cluster.imageBytes(b, id) < (16L << 20)) {
            assertTrue("the migration's transfer never got going:\n" + migrate.output(),
                    migrate.isAlive() && System.nanoTime() < deadline);
            Thread.sleep(20); // the images arriving on hostB: polled
        }
        long badInputStart = System.nanoTime();

        // 1. bytes that are not TLS
        int garbagePort = NetNs.in(a.name, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(port, RawPeer.TIMEOUT_MILLIS);
                socket.setSoTimeout(RawPeer.TIMEOUT_MILLIS);
                byte[] garbage = new byte[512];
                new Random(7).nextBytes(garbage);
                garbage[0] = 0; // never a TLS record type
                socket.getOutputStream().write(garbage);
                errors.checkThat("the agent closes a connection that sends random bytes", RawPeer.closedByPeer(socket),
                        is(true));
                return socket.getLocalPort();
            }
        });
        expectLogLine(b, "random bytes", "refused a connection from " + a.ip + ":" + garbagePort, "does not speak TLS");

        // 2. TLS without a client certificate, 3. with a certificate of another CA
        int anonymousPort = NetNs.in(a.name, () -> refusedTls(anonymous, port, "no client certificate"));
        expectLogLine(b, "a TLS client without a certificate", "refused a connection from " + a.ip + ":" + anonymousPort,
                "presented no certificate");
        int strangerPort = NetNs.in(a.name, () -> refusedTls(stranger, port, "a certificate of another CA"));
        expectLogLine(b, "a TLS client with another CA's certificate", "refused a connection from " + a.ip + ":"
                + strangerPort, "not signed by the cluster CA");

        // 4. a member's certificate, then a frame header over the limit
        NetNs.in(a.name, () -> {
            try (RawPeer peer = RawPeer.connect(member, port)) {
                peer.sendLength(MAX_FRAME_BYTES + 1);
                errors.checkThat("the agent closes a connection that announces a frame over the limit",
                        peer.controlClosedByAgent(), is(true));
            }
            return null;
        });
        expectLogLine(b, "an oversized frame", "agent haulitC", "control frame of " + (MAX_FRAME_BYTES + 1)
                + " bytes, over the limit");

        // 5. a Hello of a protocol version nobody speaks
        String versionId = UUID.randomUUID().toString();
        NetNs.in(a.name, () -> {
            try (RawPeer peer = RawPeer.connect(member, port)) {
                peer.send(Envelope.newBuilder().setVersion(99).setMigrationId(versionId)
                        .setHello(Hello.newBuilder().setMinVersion(99).setMaxVersion(99).setAgent("haulitC")).build());
                Envelope reply = peer.receive();
                errors.checkThat("a frame of version 99 is answered with an Error: " + reply, reply.getBodyCase(),
                        equalTo(Envelope.BodyCase.ERROR));
                errors.checkThat("the Error's code", reply.getError().getCode(), equalTo("protocol.version"));
                errors.checkThat("the Error names the version", reply.getError().getMessage(), containsString("99"));
                errors.checkThat("the agent then closes the connection", peer.controlClosedByAgent(), is(true));
            }
            return null;
        });
        expectLogLine(b, "a frame of version 99", "refused a migration", "protocol versions 99 to 99");

        // 6. a valid Hello and Prepare, then an image named ../escape.img on the bulk stream
        String imageId = UUID.randomUUID().toString();
        NetNs.in(a.name, () -> {
            try (RawPeer peer = RawPeer.connect(member, port)) {
                peer.send(Envelope.newBuilder().setVersion(1).setMigrationId(imageId)
                        .setHello(Hello.newBuilder().setMinVersion(1).setMaxVersion(1).setAgent("haulitC")).build());
                Envelope hello = peer.receive();
                errors.checkThat("Hello is answered with HelloReply: " + hello, hello.getBodyCase(),
                        equalTo(Envelope.BodyCase.HELLO_REPLY));
                peer.send(Envelope.newBuilder().setVersion(1).setMigrationId(imageId).setPrepare(Prepare.newBuilder()
                        .setBackend("process").setContainerId("1").setExpectedImageBytes(1 << 20)
                        .setCpuinfo(ByteString.copyFrom(cpuinfo)).setSourceCriuVersion("4.2.1")).build());
                Envelope prepared = peer.receive();
                errors.checkThat("a valid Prepare is accepted: " + prepared, prepared.getPrepared().getOk(), is(true));
                DataOutputStream bulk = peer.bulk();
                bulk.writeInt(PAGE_PUSH_MAGIC);
                bulk.writeByte(PAGE_PUSH_END);
                bulk.writeLong(0);
                byte[] header = ImageFile.newBuilder().setName("../escape.img").setSize(4).build().toByteArray();
                bulk.writeInt(header.length);
                bulk.write(header);
                bulk.write(new byte[4 + 32]); // the bytes and a (wrong) SHA-256: never read
                bulk.flush();
                Envelope reply = peer.receive();
                errors.checkThat("an image named ../escape.img is answered with an Error: " + reply, reply.getBodyCase(),
                        equalTo(Envelope.BodyCase.ERROR));
                errors.checkThat("the Error's code", reply.getError().getCode(), equalTo("protocol.bad-image-name"));
            } catch (IOException e) {
                errors.addError(new AssertionError("the exchange up to the bad image name failed: " + e, e));
            }
            return null;
        });
        try (Stream<Path> files = Files.walk(b.state)) {
            errors.checkThat("no escape.img anywhere in hostB's state folder", files
                    .filter(p -> p.getFileName().toString().equals("escape.img")).toList(), equalTo(List.of()));
        }
        expectLogLine(b, "an image named ../escape.img", "refused a migration " + imageId, "escape.img");

        // 7. migrate of a process that does not exist, 8. of one not in a PID namespace of its own
        Commands.Result missing = cluster.client(a, "migrate", "process:999999", "--to", b.name);
        errors.checkThat("migrate process:999999 fails", missing.exitCode(), not(equalTo(0)));
        errors.checkThat("migrate process:999999 says so", missing.output(), containsString("no process 999999"));
        long self = ProcessHandle.current().pid();
        Commands.Result plain = cluster.client(a, "migrate", "process:" + self, "--to", b.name);
        errors.checkThat("migrate of a process in the host's PID namespace fails", plain.exitCode(), not(equalTo(0)));
        errors.checkThat("and names the problem", plain.output(), containsString("not in its own PID namespace"));

        double badInputSeconds = (System.nanoTime() - badInputStart) / 1e9;
        errors.checkThat(String.format("the migration was still transferring after all the bad input (%.1f s of it)",
                badInputSeconds), migrate.isAlive(), is(true));

        // the migration went on undisturbed, and hostB still serves
        Commands.Result result = migrate.result(180);
        System.out.println("BadInputIT: bad input took " + String.format("%.1f", badInputSeconds)
                + " s; the migration beside it printed:\n" + result.output());
        assertEquals("the migration beside the bad input succeeds:\n" + result.output(), 0, result.exitCode());
        assertEquals("SUCCEEDED", cluster.record(b, id).path("outcome").asText());
        tree.assertOneRunningCopy(b.name, before.count());
        cluster.uncapLink();
        assertTrue("hostB still lists both agents", cluster.agentsSeenBy(b).containsAll(List.of(a.name, b.name)));
        assertTrue("hostB's agent still runs", b.alive());
        long cleanDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!cluster.leftoverImages().isEmpty() && System.nanoTime() < cleanDeadline) {
            Thread.sleep(100);
        }
        assertEquals("no images left under the agents' migrations/", List.of(), cluster.leftoverImages());
    }

    /** A TLS connection the agent must refuse; returns its local port (to find the agent's log line). */
    private int refusedTls(SSLContext context, InetSocketAddress where, String what) throws Exception {
        Socket plain = new Socket();
        plain.connect(where, RawPeer.TIMEOUT_MILLIS);
        plain.setSoTimeout(RawPeer.TIMEOUT_MILLIS);
        int local = plain.getLocalPort();
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, where.getHostString(),
                where.getPort(), true)) {
            socket.setEnabledProtocols(new String[] {"TLSv1.3"});
            socket.setUseClientMode(true);
            try {
                socket.startHandshake(); // TLS 1.3: the client may finish before the server judges its certificate
            } catch (IOException refused) {
                return local; // refused during the handshake
            }
            errors.checkThat("the agent ends a TLS connection with " + what, RawPeer.closedByPeer(socket), is(true));
        }
        return local;
    }

    /** Waits (up to 10 s) for a line of the agent's log holding every fragment; records an error if none comes. */
    private void expectLogLine(TwoHostCluster.Agent agent, String what, String... fragments) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (agent.logText().lines().anyMatch(line -> Stream.of(fragments).allMatch(line::contains))) {
                return;
            }
            Thread.sleep(100); // the log is written as things happen: polled
        }
        errors.addError(new AssertionError(agent + " logged no line with " + List.of(fragments) + " for " + what
                + "; its last lines:\n" + agent.logText().lines().skip(Math.max(0, agent.logText().lines().count() - 15))
                .reduce("", (x, y) -> x + y + "\n")));
    }

    /** This host's CPU description as CRIU writes it (what a source sends in Prepare). */
    private static byte[] cpuinfo() throws Exception {
        Path dir = Files.createTempDirectory(cluster.work, "cpuinfo");
        Commands.Result dump = Commands.run(List.of(Requirements.CRIU.toString(), "cpuinfo", "dump", "-D", dir.toString()),
                60);
        assertEquals("criu cpuinfo dump: " + dump.output(), 0, dump.exitCode());
        return Files.readAllBytes(dir.resolve("cpuinfo.img"));
    }
}
