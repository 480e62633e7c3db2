package io.haul.cluster.internal;

import static io.haul.cluster.internal.TestMembers.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.ContainerRef;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.Phase;
import io.haul.api.migration.ProgressEvent;
import io.haul.cluster.AgentInfo;
import io.haul.cluster.ContainerLock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Two members (agents alpha and beta) on 127.0.0.1 for the whole class; departure tests add a third. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterTest {

    private HazelcastCluster a;
    private HazelcastCluster b;

    @BeforeAll
    void start() {
        System.gc();
        long heapBefore = usedHeap();
        long begin = System.nanoTime();
        a = TestMembers.start("alpha", 15701);
        long first = System.nanoTime();
        long heapAfter = usedHeap();
        b = TestMembers.start("beta", 15702);
        long second = System.nanoTime();
        System.out.printf("member alpha started alone in %d ms (+%d MiB heap); beta joined it in %d ms%n",
                (first - begin) / 1_000_000, (heapAfter - heapBefore) >> 20, (second - first) / 1_000_000);
        assertEquals(2, b.hazelcast().getCluster().getMembers().size());
    }

    @AfterAll
    void stop() {
        long begin = System.nanoTime();
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
        System.out.printf("both members stopped in %d ms%n", (System.nanoTime() - begin) / 1_000_000);
    }

    @BeforeEach
    void clear() {
        for (String map : List.of(HazelcastCluster.AGENTS_MAP, HazelcastCluster.MIGRATIONS_MAP,
                HazelcastCluster.LOCKS_MAP, HazelcastCluster.CANCELS_MAP)) {
            a.hazelcast().getMap(map).clear();
        }
        a.forgetKeptRecords(); // each member keeps a copy of every record on its disk too
        b.forgetKeptRecords();
    }

    private static long usedHeap() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    @Test
    void membersCarryTheAgentNameAndAVertxNodeId() {
        Map<String, String> attributes = a.localAttributes();
        assertEquals("alpha", attributes.get(HazelcastCluster.AGENT_ATTRIBUTE));
        assertEquals(36, attributes.get(HazelcastCluster.VERTX_NODE_ID).length(), attributes.toString());
        assertNotEquals(attributes.get(HazelcastCluster.VERTX_NODE_ID),
                b.localAttributes().get(HazelcastCluster.VERTX_NODE_ID));
        assertEquals("alpha", a.localAgent());
    }

    @Test
    void aRecordWrittenOnOneMemberReadsTheSameOnTheOther() {
        MigrationRecord record = Samples.full("m-full");
        a.migrations().put(record);
        assertEquals(Optional.of(record), b.migrations().get("m-full"));
        assertEquals(Optional.empty(), b.migrations().get("m-none"));
    }

    @Test
    void listIsNewestFirst() {
        Instant t = Samples.T0;
        a.migrations().put(Samples.running("m-2", "alpha", "beta", t.plusSeconds(2)));
        b.migrations().put(Samples.ended("m-0", "alpha", "beta", t, Outcome.SUCCEEDED));
        a.migrations().put(Samples.running("m-3", "beta", "alpha", t.plusSeconds(3)));
        b.migrations().put(Samples.running("m-1", "beta", "alpha", t.plusSeconds(1)));
        assertEquals(List.of("m-3", "m-2", "m-1", "m-0"), b.migrations().list().stream().map(MigrationRecord::id).toList());
    }

    @Test
    void inFlightAreTheRunningMigrationsAnAgentTakesPartIn() {
        Instant t = Samples.T0;
        a.migrations().put(Samples.running("out", "alpha", "beta", t.plusSeconds(1)));
        a.migrations().put(Samples.running("in", "gamma", "alpha", t.plusSeconds(2)));
        a.migrations().put(Samples.running("others", "beta", "gamma", t.plusSeconds(3)));
        a.migrations().put(Samples.ended("done", "alpha", "beta", t, Outcome.SUCCEEDED));
        a.migrations().put(Samples.ended("failed", "beta", "alpha", t, Outcome.FAILED));
        assertEquals(List.of("in", "out"), b.migrations().inFlight("alpha").stream().map(MigrationRecord::id).toList());
        assertEquals(List.of("others", "out"), b.migrations().inFlight("beta").stream().map(MigrationRecord::id).toList());
        assertEquals(List.of(), b.migrations().inFlight("delta"));
    }

    @Test
    void replaceWinsOnlyAgainstTheRecordItExpects() {
        MigrationRecord first = Samples.running("m-cas", "alpha", "beta", Samples.T0);
        assertTrue(a.migrations().replace(null, first), "no record yet");
        assertFalse(b.migrations().replace(null, first), "a record exists");

        MigrationRecord read = b.migrations().get("m-cas").orElseThrow();
        MigrationRecord commit = withPhase(read, Phase.COMMIT, Outcome.IN_PROGRESS);
        MigrationRecord rollback = withPhase(read, Phase.RESTORE, Outcome.ROLLED_BACK);
        assertTrue(a.migrations().replace(read, commit), "source commits first");
        assertFalse(b.migrations().replace(read, rollback), "the destination's rollback comes second");
        assertEquals(Optional.of(commit), a.migrations().get("m-cas"));

        // the statistics' map may iterate in another order once read back: records compare, not texts
        MigrationRecord full = Samples.full("m-cas-2");
        a.migrations().put(full);
        assertTrue(b.migrations().replace(Samples.full("m-cas-2"), withPhase(full, Phase.CLEANUP, Outcome.FAILED)));
        assertThrows(IllegalArgumentException.class, () -> a.migrations().replace(first, Samples.full("other")));
    }

    private static MigrationRecord withPhase(MigrationRecord r, Phase phase, Outcome outcome) {
        return new MigrationRecord(r.id(), r.container(), r.source(), r.destination(), phase, outcome, r.started(),
                r.ended(), r.statistics(), r.error(), r.history());
    }

    @Test
    void aCancelAskedOnOneAgentIsSeenOnTheOther() {
        assertFalse(b.migrations().cancelRequested("m-c"));
        a.migrations().requestCancel("m-c");
        assertTrue(b.migrations().cancelRequested("m-c"));
        assertFalse(b.migrations().cancelRequested("m-other"));
    }

    @Test
    void aContainerIsInOneMigrationAtATimeAcrossTheCluster() {
        ContainerRef container = new ContainerRef("docker", "web");
        Optional<ContainerLock> first = a.migrations().lock(container, "m-1");
        assertTrue(first.isPresent());
        assertEquals("m-1", first.get().migrationId());

        assertEquals(Optional.empty(), b.migrations().lock(container, "m-2"), "a second migration is refused");
        assertEquals(Optional.of("m-1"), b.migrations().lockHolder(container));
        assertEquals(Optional.empty(), b.migrations().lockHolder(new ContainerRef("docker", "db")));
        assertTrue(b.migrations().lock(new ContainerRef("docker", "db"), "m-2").isPresent(), "other containers are free");

        first.get().close();
        assertEquals(Optional.empty(), b.migrations().lockHolder(container), "released on close");
        Optional<ContainerLock> second = b.migrations().lock(container, "m-2");
        assertTrue(second.isPresent());
        first.get().close(); // a second close of a released handle leaves the new holder alone
        assertEquals(Optional.of("m-2"), a.migrations().lockHolder(container));
        second.get().close();
    }

    @Test
    void theSameMigrationMayTakeItsLockAgainFromAnotherAgent() {
        ContainerRef container = new ContainerRef("process", "77");
        ContainerLock onA = a.migrations().lock(container, "m-7").orElseThrow();
        ContainerLock onB = b.migrations().lock(container, "m-7").orElseThrow();
        onA.close(); // the lock moved to beta: alpha's old handle no longer releases it
        assertEquals(Optional.of("m-7"), a.migrations().lockHolder(container));
        onB.close();
        assertEquals(Optional.empty(), a.migrations().lockHolder(container));
    }

    @Test
    void agentsSeeEachOtherAndResolveByNameOrAddress() {
        a.agents().publish(new AgentInfo("alpha", "10.9.0.1:7000", Map.of("criu", "4.2.1"), null));
        b.agents().publish(new AgentInfo("beta", "10.9.0.2:7000", Map.of(), Samples.T0));

        assertEquals(List.of("alpha", "beta"), b.agents().list().stream().map(AgentInfo::name).toList());
        AgentInfo alpha = b.agents().resolve("alpha").orElseThrow();
        assertEquals(Map.of("criu", "4.2.1"), alpha.capabilities());
        assertTrue(alpha.seen() != null, "seen is set when not given");
        assertEquals("beta", a.agents().resolve("10.9.0.2:7000").orElseThrow().name());
        assertEquals("beta", a.agents().resolve("10.9.0.2").orElseThrow().name());
        assertEquals(Optional.empty(), a.agents().resolve("10.9.0.3"));
        assertEquals(Optional.empty(), a.agents().resolve("10.9.0.2:7001"));
        assertEquals(Optional.empty(), a.agents().resolve(" "));

        assertThrows(IllegalStateException.class,
                () -> b.agents().publish(new AgentInfo("alpha", "10.9.0.2:7000", Map.of(), null)),
                "a name another live agent has");

        b.agents().publish(new AgentInfo("beta", "10.9.0.1:7001", Map.of(), null));
        assertEquals(Optional.empty(), a.agents().resolve("10.9.0.1"), "two agents on one host: ask by host:port");
        assertEquals("beta", a.agents().resolve("10.9.0.1:7001").orElseThrow().name());

        a.agents().publish(new AgentInfo("alpha-renamed", "10.9.0.1:7000", Map.of(), null));
        assertEquals(List.of("alpha-renamed", "beta"), b.agents().list().stream().map(AgentInfo::name).toList());
    }

    @Test
    void hostOfAnAddress() {
        assertEquals("10.0.0.1", HazelcastAgentRegistry.host("10.0.0.1:7000"));
        assertEquals("node-a", HazelcastAgentRegistry.host("Node-A"));
        assertEquals("::1", HazelcastAgentRegistry.host("[::1]:7000"));
        assertEquals("fe80::1", HazelcastAgentRegistry.host("fe80::1"));
        assertTrue(HazelcastAgentRegistry.hasPort("10.0.0.1:7000"));
        assertTrue(HazelcastAgentRegistry.hasPort("[::1]:7000"));
        assertFalse(HazelcastAgentRegistry.hasPort("[::1]"));
        assertFalse(HazelcastAgentRegistry.hasPort("fe80::1"));
        assertFalse(HazelcastAgentRegistry.hasPort("node-a"));
    }

    @Test
    void progressEventsArriveInOrderOnAnotherMemberAndStopOnClose() throws Exception {
        int count = 200;
        List<ProgressEvent> received = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch all = new CountDownLatch(count);
        AutoCloseable subscription = b.migrations().subscribe("m-p", event -> {
            received.add(event);
            all.countDown();
        });
        List<ProgressEvent> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ProgressEvent event = new ProgressEvent("m-p", Phase.PRECOPY, "round", i * 4096L, count * 4096L, 1e8,
                    ProgressEvent.eta(i * 4096L, count * 4096L, 1e8), i == count - 1 ? Outcome.SUCCEEDED : Outcome.IN_PROGRESS, Samples.T0.plusMillis(i));
            sent.add(event);
            a.migrations().publish(event);
            a.migrations().publish(new ProgressEvent("m-other", Phase.PRECOPY, "noise", i, -1, 0, null,
                    Outcome.IN_PROGRESS, Instant.now()));
        }
        assertTrue(all.await(10, TimeUnit.SECONDS), "received " + received.size() + " of " + count);
        assertEquals(sent, List.copyOf(received), "every event of m-p, in order, and only those");
        assertTrue(received.getLast().last());

        subscription.close();
        CountDownLatch probe = new CountDownLatch(1);
        AutoCloseable second = b.migrations().subscribe("m-p", event -> probe.countDown());
        a.migrations().publish(sent.getFirst());
        assertTrue(probe.await(10, TimeUnit.SECONDS), "a later subscriber still gets events");
        assertEquals(count, received.size(), "none after close");
        second.close();
    }

    @Test
    void aSubscriptionToEveryMigrationGetsEachMigrationsEventsInTheOrderTheyWerePublished() throws Exception {
        int count = 50;
        List<ProgressEvent> received = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch all = new CountDownLatch(2 * count);
        List<ProgressEvent> sent = new ArrayList<>();
        try (AutoCloseable subscription = b.migrations().subscribeAll(event -> {
            received.add(event);
            all.countDown();
        })) {
            for (int i = 0; i < count; i++) {
                for (String id : List.of("m-all-1", "m-all-2")) {
                    ProgressEvent event = new ProgressEvent(id, Phase.PRECOPY, "round " + i, i, count, 0, null,
                            Outcome.IN_PROGRESS, Samples.T0.plusMillis(i));
                    sent.add(event);
                    (i % 2 == 0 ? a : b).migrations().publish(event);
                }
            }
            assertTrue(all.await(10, TimeUnit.SECONDS), "received " + received.size() + " of " + 2 * count);
        }
        for (String id : List.of("m-all-1", "m-all-2")) {
            assertEquals(sent.stream().filter(e -> e.migrationId().equals(id)).toList(),
                    received.stream().filter(e -> e.migrationId().equals(id)).toList(),
                    "every event of " + id + ", in the order it was published, from either member");
        }
    }

    @Test
    void aListenerThatFailsDoesNotStopTheOthers() throws Exception {
        CountDownLatch got = new CountDownLatch(2);
        try (AutoCloseable failing = a.migrations().subscribe("m-f", event -> {
                throw new IllegalStateException("listener bug");
            });
            AutoCloseable working = a.migrations().subscribe("m-f", event -> got.countDown())) {
            ProgressEvent event = new ProgressEvent("m-f", Phase.CHECKS, "", -1, -1, 0, null, Outcome.IN_PROGRESS, Samples.T0);
            b.migrations().publish(event);
            b.migrations().publish(event);
            assertTrue(got.await(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aMemberThatStopsTakesItsAgentAndItsLocksAlong() throws Exception {
        ContainerRef container = new ContainerRef("lxc", "c1");
        HazelcastCluster c = TestMembers.start("gamma", 15703);
        try {
            c.agents().publish(new AgentInfo("gamma", "10.9.0.3:7000", Map.of(), null));
            assertTrue(c.migrations().lock(container, "m-g").isPresent());
            assertEquals("gamma", a.agents().resolve("gamma").orElseThrow().name());
            assertEquals(Optional.of("m-g"), a.migrations().lockHolder(container));
            assertEquals(Optional.empty(), a.migrations().lock(container, "m-a"));
        } finally {
            long begin = System.nanoTime();
            c.close();
            System.out.printf("gamma left gracefully in %d ms%n", (System.nanoTime() - begin) / 1_000_000);
        }
        eventually(10, "gamma's member is gone", () -> {
            assertEquals(Optional.empty(), a.agents().resolve("gamma"));
            assertEquals(Optional.empty(), a.migrations().lockHolder(container));
        });
        eventually(10, "the sweep removes gamma's entries", () -> {
            assertFalse(a.hazelcast().getMap(HazelcastCluster.AGENTS_MAP).containsKey("gamma"));
            assertFalse(a.hazelcast().getMap(HazelcastCluster.LOCKS_MAP).containsKey(container.toString()));
        });
        assertTrue(b.migrations().lock(container, "m-b").isPresent(), "the container can move again");
    }

    @Test
    void aMemberThatCrashesLosesItsAgentAndItsLocksOnceTheClusterNotices() throws Exception {
        ContainerRef container = new ContainerRef("lxc", "c2");
        HazelcastCluster d = TestMembers.start("delta", 15704);
        d.agents().publish(new AgentInfo("delta", "10.9.0.4:7000", Map.of(), null));
        assertTrue(d.migrations().lock(container, "m-d").isPresent());
        assertEquals(Optional.of("m-d"), b.migrations().lockHolder(container));

        long begin = System.nanoTime();
        d.hazelcast().getLifecycleService().terminate();
        eventually(20, "delta's member is declared gone", () -> {
            assertEquals(Optional.empty(), b.agents().resolve("delta"));
            assertEquals(Optional.empty(), b.migrations().lockHolder(container));
        });
        System.out.printf("delta's crash noticed in %d ms%n", (System.nanoTime() - begin) / 1_000_000);
        eventually(10, "the sweep removes delta's entries", () -> {
            assertFalse(a.hazelcast().getMap(HazelcastCluster.AGENTS_MAP).containsKey("delta"));
            assertFalse(a.hazelcast().getMap(HazelcastCluster.LOCKS_MAP).containsKey(container.toString()));
        });
        d.close();
    }
}
