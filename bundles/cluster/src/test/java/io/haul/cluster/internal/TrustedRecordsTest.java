package io.haul.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.Phase;
import io.haul.json.HaulJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records outlive the whole cluster on the agents' disks, and a member without the cluster CA's key cannot make
 * an agent read a record it did not sign: two real members with certificates made by make-certs.sh, and a third,
 * bare Hazelcast member on the same cluster as the stranger.
 */
class TrustedRecordsTest {

    private static final int PORT_A = 5891;
    private static final int PORT_B = 5892;
    private static final Path MAKE_CERTS = Path.of("../../runtime/setup/make-certs.sh");

    @TempDir
    Path temp;

    private ClusterSettings settings(int port, int kept) {
        List<String> members = List.of("127.0.0.1:" + PORT_A, "127.0.0.1:" + PORT_B);
        return new ClusterSettings("haul-trust-test", port, "127.0.0.1", members, 1,
                Map.of("hazelcast.partition.count", "31", "hazelcast.max.no.heartbeat.seconds", "5",
                        "hazelcast.merge.first.run.delay.seconds", "5"), kept);
    }

    private HazelcastCluster start(String agent, int port, RecordSigner signer, int kept) {
        return HazelcastCluster.start(settings(port, kept), () -> agent, HazelcastCluster.class.getClassLoader(), signer,
                temp.resolve(agent).resolve("cluster"));
    }

    private RecordSigner signer(String agent) throws Exception {
        assumeTrue(Files.isExecutable(MAKE_CERTS), "make-certs.sh is not at " + MAKE_CERTS.toAbsolutePath());
        Path out = temp.resolve(agent).resolve("tls");
        Process make = new ProcessBuilder("bash", MAKE_CERTS.toString(), temp.resolve("ca").toString(), agent,
                out.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assumeTrue(make.waitFor() == 0, "make-certs.sh failed (is openssl installed?)");
        return RecordSigner.load(out.resolve("ca.pem"), out.resolve("agent.pem"), out.resolve("agent.key"));
    }

    @Test
    void theCommitPointOnOneDiskIsTheClustersAfterEveryMemberStopped() throws Exception {
        RecordSigner alpha = RecordSigner.unsigned();
        HazelcastCluster a = start("alpha", PORT_A, alpha, 100);
        HazelcastCluster b = start("beta", PORT_B, alpha, 100);
        MigrationRecord restoring = Samples.running("m-1", "alpha", "beta", Samples.T0).entering(Phase.RESTORE,
                Samples.T0.plusSeconds(1));
        a.migrations().put(restoring);
        MigrationRecord committed = restoring.entering(Phase.COMMIT, Samples.T0.plusSeconds(2));
        assertTrue(a.migrations().replace(restoring, committed));
        a.migrations().put(Samples.ended("m-0", "beta", "alpha", Samples.T0.minusSeconds(60), Outcome.SUCCEEDED));
        b.crash(); // both gone at once, as kill -9 would
        a.crash();

        // beta alone first: it has what its listener saw; alpha's disk has the commit point for sure
        HazelcastCluster b2 = start("beta", PORT_B, alpha, 100);
        try {
            assertFalse(b2.migrations().recordsLoaded("alpha"), "alpha is not back yet");
            HazelcastCluster a2 = start("alpha", PORT_A, alpha, 100);
            try {
                TestMembers.eventually(30, "beta sees alpha's records", () -> {
                    assertTrue(b2.migrations().recordsLoaded("alpha"));
                    assertEquals(Optional.of(committed), b2.migrations().get("m-1"));
                });
                assertEquals(List.of("m-1", "m-0"), b2.migrations().list().stream().map(MigrationRecord::id).toList(),
                        "the history survived");
                assertEquals(List.of(committed), a2.migrations().inFlight("beta"));
            } finally {
                a2.close();
            }
        } finally {
            b2.close();
        }
    }

    @Test
    void aRetentionSettingBoundsTheHistoryButKeepsWhatIsInFlight() {
        HazelcastCluster a = start("alpha", PORT_A, RecordSigner.unsigned(), 100);
        for (int i = 0; i < 5; i++) {
            a.migrations().put(Samples.ended("old-" + i, "alpha", "beta", Samples.T0.plusSeconds(i), Outcome.SUCCEEDED));
        }
        a.migrations().put(Samples.running("running", "alpha", "beta", Samples.T0.minusSeconds(100)));
        a.close();
        HazelcastCluster again = start("alpha", PORT_A, RecordSigner.unsigned(), 2);
        try {
            assertEquals(List.of("old-4", "old-3", "running"),
                    again.migrations().list().stream().map(MigrationRecord::id).toList());
        } finally {
            again.close();
        }
    }

    @Test
    void aStrangersCommitIsIgnoredAndTheAgentsCommitGoesOverIt() throws Exception {
        HazelcastCluster a = start("alpha", PORT_A, signer("alpha"), 100);
        HazelcastCluster b = start("beta", PORT_B, signer("beta"), 100);
        Config config = new Config().setClusterName("haul-trust-test");
        config.setProperty("hazelcast.partition.count", "31");
        config.getNetworkConfig().setPort(5893).getJoin().getMulticastConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + PORT_A);
        config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        HazelcastInstance stranger = Hazelcast.newHazelcastInstance(config);
        try {
            MigrationRecord restoring = Samples.running("m-s", "alpha", "beta", Samples.T0).entering(Phase.RESTORE,
                    Samples.T0.plusSeconds(1));
            a.migrations().put(restoring);
            TestMembers.eventually(10, "beta reads alpha's record", () ->
                    assertEquals(Optional.of(restoring), b.migrations().get("m-s")));
            MigrationRecord forged = restoring.entering(Phase.COMMIT, Instant.now());
            // a bare record, as an agent before signatures wrote them, and a well-formed envelope without a signature
            stranger.<String, String>getMap(HazelcastCluster.MIGRATIONS_MAP).set("m-s", HaulJson.write(forged));
            assertEquals(Optional.of(restoring), b.migrations().get("m-s"), "a stranger's commit does not count");
            stranger.<String, String>getMap(HazelcastCluster.MIGRATIONS_MAP).set("m-s",
                    new SignedRecord(99, HaulJson.write(forged), "", "").encode());
            assertEquals(Optional.of(restoring), b.migrations().get("m-s"));
            assertEquals(List.of(restoring), b.migrations().inFlight("beta"));
            stranger.<String, String>getMap(HazelcastCluster.MIGRATIONS_MAP).remove("m-s");
            assertEquals(Optional.of(restoring), b.migrations().get("m-s"), "nor does a stranger's removal");
            stranger.<String, String>getMap(HazelcastCluster.CANCELS_MAP).set("m-s", "cancel m-s");
            assertFalse(a.migrations().cancelRequested("m-s"), "nor a stranger's cancel");

            // the source's commit point is a compare-and-set against what it trusts, over the forgery
            stranger.<String, String>getMap(HazelcastCluster.MIGRATIONS_MAP).set("m-s", HaulJson.write(forged));
            MigrationRecord committed = restoring.entering(Phase.COMMIT, Samples.T0.plusSeconds(2));
            assertTrue(a.migrations().replace(restoring, committed));
            assertEquals(Optional.of(committed), b.migrations().get("m-s"));

            // a record signed with a certificate of the CA, but by neither agent of the migration
            RecordSigner gamma = signer("gamma");
            MigrationRecord rolledBack = committed.ending(Outcome.ROLLED_BACK, null, Instant.now());
            stranger.<String, String>getMap(HazelcastCluster.MIGRATIONS_MAP).set("m-s",
                    gamma.sign(50, HaulJson.write(rolledBack)).encode());
            assertEquals(Optional.of(committed), b.migrations().get("m-s"), "gamma is no agent of m-s");
            b.migrations().requestCancel("m-s");
            assertTrue(a.migrations().cancelRequested("m-s"), "an agent's cancel counts");
        } finally {
            stranger.getLifecycleService().terminate();
            b.close();
            a.close();
        }
    }
}
