package io.haul.cluster.internal;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.TopicConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import io.haul.cluster.AgentRegistry;
import io.haul.cluster.Cluster;
import io.haul.cluster.MigrationStore;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One embedded Hazelcast member and the cluster state kept in it. Usable without OSGi (the tests start
 * several in one JVM); {@link ClusterComponent} is its DS face.
 *
 * <p>Everything is stored as JSON strings ({@link Json}): Hazelcast serializes only {@code String}s, so
 * records of the API bundle never need Hazelcast's class loading. The configured class loader is still
 * this bundle's, for what Hazelcast itself loads through it (and, later, the Vert.x cluster manager on the
 * same instance).
 *
 * <p>Entries owned by a member (the registry's agents, the container locks) record that member's UUID.
 * A {@link MembershipListener} removes the entries of members that left, and reads ignore them meanwhile,
 * so nothing depends on the listener having run yet.
 */
public final class HazelcastCluster implements Cluster, AutoCloseable {

    /** Member attribute the Vert.x Hazelcast cluster manager reads as its node id; it must exist at start. */
    public static final String VERTX_NODE_ID = "__vertx.nodeId";
    /** Member attribute naming the agent (its name when the member started). */
    public static final String AGENT_ATTRIBUTE = "haul.agent";

    static final String AGENTS_MAP = "haul.agents";
    static final String MIGRATIONS_MAP = "haul.migrations";
    static final String LOCKS_MAP = "haul.locks";
    static final String CANCELS_MAP = "haul.cancels";
    static final String LOADED_MAP = "haul.loaded";
    static final String PROGRESS_TOPIC = "haul.progress";

    static final String LOOPBACK = "127.0.0.1";

    /** Graceful shutdown's bound (partitions handed over), after which the member just stops. */
    static final int GRACEFUL_SHUTDOWN_SECONDS = 5;

    private static final Logger LOG = LoggerFactory.getLogger(HazelcastCluster.class);

    private final HazelcastInstance hazelcast;
    private final Supplier<String> agentName;
    private final HazelcastAgentRegistry agents;
    private final HazelcastMigrationStore migrations;
    private final ExecutorService sweeper;

    private HazelcastCluster(HazelcastInstance hazelcast, ClusterSettings settings, Supplier<String> agentName,
            RecordSigner signer, DurableRecords durable) {
        this.hazelcast = hazelcast;
        this.agentName = agentName;
        // read anew at each use: a member that rejoins after a network split gets a new UUID from Hazelcast
        Supplier<UUID> self = () -> hazelcast.getCluster().getLocalMember().getUuid();
        this.agents = new HazelcastAgentRegistry(hazelcast.getMap(AGENTS_MAP), self, this::liveMembers);
        TrustedRecords records = new TrustedRecords(hazelcast.getMap(MIGRATIONS_MAP), hazelcast.getMap(LOADED_MAP),
                signer, durable, settings.keptRecords());
        this.migrations = new HazelcastMigrationStore(records, signer, hazelcast.getMap(LOCKS_MAP),
                hazelcast.getMap(CANCELS_MAP), hazelcast.getTopic(PROGRESS_TOPIC), self, agentName, this::liveMembers);
        this.sweeper = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("haul-cluster-sweep")
                .factory());
        hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                if (!JoinList.lists(settings.members(), event.getMember().getAddress())) {
                    // Hazelcast's open-source edition cannot refuse it: what it writes is checked instead
                    LOG.warn("{} joined the cluster but is not among the configured members {}: records, cancels "
                            + "and load notes it writes count for nothing unless signed by an agent",
                            TrustedRecords.describe(event.getMember()), settings.members());
                }
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                LOG.info("agent {} left the cluster (member {})", event.getMember().getAttribute(AGENT_ATTRIBUTE),
                        event.getMember().getUuid());
                sweepLater();
            }
        });
        sweepLater(); // what members that left before this one joined may have left behind
        records.load(agentName.get(), self.get());
        hazelcast.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.MERGED) {
                // merged into another cluster (e.g. one a restarted agent formed alone), this member has a new UUID:
                // its load note must name it, or the other agent's recovery waits for this one for ever (chaos:
                // the source agent killed just after the commit point and started again settled only once the
                // destination's agent was restarted too); and what the merge dropped comes back from the disk
                sweeper.execute(() -> records.load(agentName.get(), self.get()));
            }
        });
    }

    /**
     * Starts a member and waits until it has joined (or, finding no one, formed) its cluster.
     *
     * @param agentName      this agent's name, read each time it is needed (it may change while the agent runs)
     * @param classLoader    the class loader Hazelcast's configuration gets
     * @param signer         signs the records this agent writes and checks the others'
     * @param recordsFolder  where this agent keeps its copy of the records ({@link DurableRecords})
     */
    public static HazelcastCluster start(ClusterSettings settings, Supplier<String> agentName, ClassLoader classLoader,
            RecordSigner signer, Path recordsFolder) {
        QuietHazelcastLogs.apply();
        long begin = System.nanoTime();
        DurableRecords durable;
        try {
            durable = DurableRecords.open(recordsFolder);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot open the migration records kept in " + recordsFolder + ": "
                    + e.getMessage(), e);
        }
        HazelcastInstance hazelcast;
        try {
            hazelcast = Hazelcast.newHazelcastInstance(config(settings, agentName.get(), classLoader));
        } catch (RuntimeException e) {
            durable.close();
            throw e;
        }
        try {
            HazelcastCluster cluster = new HazelcastCluster(hazelcast, settings, agentName, signer, durable);
            LOG.info("agent {} is member {} of {}, {} member(s), started in {} ms", agentName.get(),
                    hazelcast.getCluster().getLocalMember().getAddress(), settings,
                    hazelcast.getCluster().getMembers().size(), (System.nanoTime() - begin) / 1_000_000);
            return cluster;
        } catch (RuntimeException e) {
            hazelcast.getLifecycleService().terminate();
            durable.close();
            throw e;
        }
    }

    /** The Hazelcast configuration of these settings. */
    static Config config(ClusterSettings settings, String agentName, ClassLoader classLoader) {
        Config config = new Config();
        config.setClusterName(settings.clusterName());
        config.setInstanceName("haul-" + UUID.randomUUID());
        config.setClassLoader(classLoader);

        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.shutdownhook.enabled", "false"); // the agent stops the member itself
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.graceful.shutdown.max.wait", String.valueOf(GRACEFUL_SHUTDOWN_SECONDS));
        // Agents start one by one: a member that found nobody forms a cluster of its own, and Hazelcast merges
        // such clusters only after 5 minutes by default. Agents of a few members merge within seconds.
        config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
        config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
        config.getMetricsConfig().setEnabled(false); // nothing reads them (no Management Center)
        settings.hazelcastProperties().forEach(config::setProperty);

        NetworkConfig network = config.getNetworkConfig();
        network.setPort(settings.port());
        // listed members look for this one at its port; alone, any free port will do
        network.setPortAutoIncrement(settings.alone());
        // Alone, nobody needs to reach the member: it listens on loopback only, since Hazelcast's open-source
        // edition accepts any member that knows the cluster name.
        // With members listed and no bindAddress, the one of them that is this host's own address: Hazelcast
        // would otherwise listen on every interface, where any process that reaches it can join.
        String bindAddress = !settings.bindAddress().isEmpty() ? ip(settings.bindAddress())
                : settings.alone() ? LOOPBACK : JoinList.localMember(settings.members()).orElse("");
        if (bindAddress.isEmpty()) {
            LOG.warn("the cluster member listens on every interface: set bindAddress in haul.cluster (or list this "
                    + "host's own address among the members) to keep it on the agents' private one");
        }
        if (!bindAddress.isEmpty()) {
            network.getInterfaces().setEnabled(true).addInterface(bindAddress);
            config.setProperty("hazelcast.socket.bind.any", "false");
        }
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false); // it would fall back to multicast
        join.getTcpIpConfig().setEnabled(!settings.alone())
                .setMembers(settings.members())
                .setConnectionTimeoutSeconds(settings.joinTimeoutSeconds());

        // records survive two members lost at once; the maps are tiny
        config.addMapConfig(new MapConfig("haul.*").setBackupCount(2).setStatisticsEnabled(false));
        // one total order of progress events, whichever agent publishes them (source and destination both do)
        config.addTopicConfig(new TopicConfig(PROGRESS_TOPIC).setGlobalOrderingEnabled(true)
                .setStatisticsEnabled(false));

        config.getMemberAttributeConfig().setAttribute(VERTX_NODE_ID, UUID.randomUUID().toString());
        config.getMemberAttributeConfig().setAttribute(AGENT_ATTRIBUTE, agentName);
        return config;
    }

    private static String ip(String bindAddress) {
        try {
            return InetAddress.getByName(bindAddress).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bindAddress " + bindAddress + " is not an address of this host", e);
        }
    }

    @Override
    public String localAgent() {
        return agentName.get();
    }

    @Override
    public AgentRegistry agents() {
        return agents;
    }

    @Override
    public MigrationStore migrations() {
        return migrations;
    }

    /** The member, for services that share it (the Vert.x clustered event bus). */
    public HazelcastInstance hazelcast() {
        return hazelcast;
    }

    /** The members in the cluster now, as this member sees them. */
    private Set<UUID> liveMembers() {
        return hazelcast.getCluster().getMembers().stream().map(Member::getUuid).collect(Collectors.toSet());
    }

    private void sweepLater() {
        try {
            sweeper.execute(this::sweep);
        } catch (RejectedExecutionException closing) {
            // the member is stopping
        }
    }

    /** Removes what members no longer in the cluster owned: their agents' entries and their locks. */
    private void sweep() {
        try {
            Set<UUID> live = liveMembers();
            int agentsRemoved = agents.removeEntriesOfDeparted(live);
            int locksRemoved = migrations.releaseLocksOfDeparted(live);
            if (agentsRemoved + locksRemoved > 0) {
                LOG.info("removed {} agent entries and released {} container locks of members that left",
                        agentsRemoved, locksRemoved);
            }
        } catch (HazelcastInstanceNotActiveException stopping) {
            // nothing to sweep any more
        } catch (RuntimeException e) {
            LOG.warn("could not remove the entries of members that left the cluster", e);
        }
    }

    /**
     * Leaves the cluster: gracefully (partitions handed over) within {@value #GRACEFUL_SHUTDOWN_SECONDS}
     * s, then the member stops whatever remains. A failed graceful shutdown ends in a terminate.
     */
    @Override
    public void close() {
        sweeper.shutdownNow();
        migrations.close();
        long begin = System.nanoTime();
        try {
            hazelcast.shutdown();
        } catch (RuntimeException e) {
            LOG.warn("graceful shutdown of the cluster member failed, terminating it", e);
            hazelcast.getLifecycleService().terminate();
        }
        LOG.info("left the cluster in {} ms", (System.nanoTime() - begin) / 1_000_000);
    }

    /** Stops at once, as a killed agent's member does (no graceful hand-over), for tests. */
    void crash() {
        sweeper.shutdownNow();
        hazelcast.getLifecycleService().terminate();
        migrations.close();
    }

    /** Forgets the records this agent keeps on disk, for tests that start each case from an empty cluster. */
    void forgetKeptRecords() {
        migrations.records().forgetKept();
    }

    /** The member's attributes, for tests and diagnostics. */
    Map<String, String> localAttributes() {
        return hazelcast.getCluster().getLocalMember().getAttributes();
    }
}
