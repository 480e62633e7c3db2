package io.haul.cluster.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Hazelcast members for tests: 127.0.0.1 only, explicit member lists, short timeouts, never multicast. */
final class TestMembers {

    /** The ports the tests use; every member lists all of them. */
    static final List<Integer> PORTS = List.of(15701, 15702, 15703, 15704);

    /** Failure detection and joins in seconds rather than minutes. */
    static final Map<String, String> FAST = Map.of(
            "hazelcast.wait.seconds.before.join", "0",
            "hazelcast.max.wait.seconds.before.join", "1",
            "hazelcast.heartbeat.interval.seconds", "1",
            "hazelcast.max.no.heartbeat.seconds", "4",
            "hazelcast.merge.first.run.delay.seconds", "5",
            "hazelcast.merge.next.run.delay.seconds", "5",
            "hazelcast.partition.count", "31");

    private TestMembers() {
    }

    static ClusterSettings settings(int port) {
        List<String> members = PORTS.stream().map(p -> "127.0.0.1:" + p).toList();
        return new ClusterSettings("haul-test", port, "127.0.0.1", members, 1, FAST);
    }

    static HazelcastCluster start(String agent, int port) {
        return start(() -> agent, port);
    }

    static HazelcastCluster start(Supplier<String> agent, int port) {
        return start(agent, port, RecordSigner.unsigned(), recordsFolder(port));
    }

    static HazelcastCluster start(Supplier<String> agent, int port, RecordSigner signer, Path records) {
        return HazelcastCluster.start(settings(port), agent, HazelcastCluster.class.getClassLoader(), signer, records);
    }

    /** A new, empty folder for a member's records on disk. */
    static Path recordsFolder(int port) {
        try {
            Path folder = Files.createTempDirectory("haul-records-" + port + "-");
            folder.toFile().deleteOnExit();
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls until the condition holds, or fails after {@code seconds}. */
    static void eventually(int seconds, String what, Check check) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        AssertionError last = null;
        while (System.nanoTime() < deadline) {
            try {
                check.run();
                return;
            } catch (AssertionError e) {
                last = e;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not within " + seconds + " s: " + what, last);
    }

    @FunctionalInterface
    interface Check {
        void run();
    }
}
