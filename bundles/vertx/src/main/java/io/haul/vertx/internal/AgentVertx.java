package io.haul.vertx.internal;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;

/**
 * The agent's one Vert.x instance, registered as a {@link Vertx} service for every bundle that needs one (the TLS
 * transport, the Docker backend's client, the event-bus API): one set of event-loop threads, not one per user. Two
 * event loops, as two cores here; blocking work stays off them (the users run it on virtual threads).
 *
 * <p>Under the agent's launcher (framework property {@value #CLUSTER_PROPERTY}{@code =true}) the instance is
 * clustered through the agent's own Hazelcast member (the cluster bundle's {@link HazelcastInstance} service, which
 * carries the {@code __vertx.nodeId} attribute the cluster manager needs), with the event bus's TCP traffic under
 * TLS 1.3 and client certificates of the cluster CA ({@link EventBusSettings}). The service appears once the
 * instance has joined, goes when the member goes (a new {@code haul.cluster} configuration restarts it), and comes
 * back on the next one. Without the property (a framework of a test), or without the agent's certificates, the
 * instance is local at once: its event bus reaches this JVM only, and the log says why.
 */
@Component(immediate = true, configurationPid = VertxConfiguration.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = VertxConfiguration.class)
public final class AgentVertx {

    /** Framework property: "true" to cluster the event bus through the agent's Hazelcast member. */
    public static final String CLUSTER_PROPERTY = "haul.vertx.cluster";
    /** Service property: whether the registered Vertx is clustered. */
    public static final String CLUSTERED = "haul.vertx.clustered";
    /** Service properties of a clustered Vertx: the PEM files its event bus proves itself with (for the bridge). */
    public static final String CA_CERT = "haul.tls.caCert";
    public static final String CERTIFICATE = "haul.tls.certificate";
    public static final String PRIVATE_KEY = "haul.tls.privateKey";
    /** Service property of a clustered Vertx: host:port of its event bus. */
    public static final String EVENT_BUS = "haul.vertx.eventBus";

    /** The JDK's logger: slf4j is only an optional import of this wrapper bundle. */
    private static final System.Logger LOG = System.getLogger(AgentVertx.class.getName());
    private static final long CLOSE_SECONDS = 10;
    private static final long JOIN_SECONDS = 60;

    private final BundleContext context;
    private final ServiceTracker<HazelcastInstance, HazelcastInstance> members;
    /** One transition at a time: a join, a leave. */
    private final ExecutorService transitions = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("haul-vertx").factory());
    /** The instance and its registration now (guarded by the transitions thread, read on deactivation). */
    private volatile Running running;

    private record Running(Vertx vertx, ServiceRegistration<Vertx> registration, HazelcastInstance member) {
    }

    @Activate
    public AgentVertx(BundleContext context, VertxConfiguration config) {
        this.context = context;
        EventBusSettings settings = EventBusSettings.of(config, context.getProperty(EventBusSettings.STATE_PROPERTY));
        if (!"true".equals(context.getProperty(CLUSTER_PROPERTY))) {
            this.members = null;
            this.running = register(create(new VertxOptions(), null), local(), null);
            return;
        }
        String missing = settings.missing();
        if (missing != null) {
            LOG.log(System.Logger.Level.WARNING, "the event bus is this agent''s own, not the cluster''s: {0}", missing);
            this.members = null;
            this.running = register(create(new VertxOptions(), null), local(), null);
            return;
        }
        this.members = new ServiceTracker<>(context, HazelcastInstance.class, new Members(settings));
        this.members.open();
    }

    private static Dictionary<String, Object> local() {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(CLUSTERED, Boolean.FALSE);
        return properties;
    }

    /** Joins and leaves with the agent's Hazelcast member. */
    private final class Members implements ServiceTrackerCustomizer<HazelcastInstance, HazelcastInstance> {
        private final EventBusSettings settings;

        Members(EventBusSettings settings) {
            this.settings = settings;
        }

        @Override
        public HazelcastInstance addingService(ServiceReference<HazelcastInstance> reference) {
            HazelcastInstance member = context.getService(reference);
            if (member == null) {
                return null;
            }
            transitions.execute(() -> join(member));
            return member;
        }

        private void join(HazelcastInstance member) {
            if (running != null) {
                return; // a second member service: the first one's cluster is this agent's
            }
            try {
                long begin = System.nanoTime();
                String host = member.getCluster().getLocalMember().getAddress().getHost();
                VertxOptions options = new VertxOptions().setEventBusOptions(settings.options(host));
                Vertx vertx = create(options, member);
                Dictionary<String, Object> properties = new Hashtable<>();
                properties.put(CLUSTERED, Boolean.TRUE);
                properties.put(CA_CERT, settings.caCert().toString());
                properties.put(CERTIFICATE, settings.certificate().toString());
                properties.put(PRIVATE_KEY, settings.privateKey().toString());
                String eventBus = host + ":" + settings.port();
                properties.put(EVENT_BUS, eventBus);
                running = register(vertx, properties, member);
                LOG.log(System.Logger.Level.INFO, "the agent''s Vert.x joined the cluster in {0} ms, event bus on {1} "
                        + "(TLS, client certificates of the cluster CA)", (System.nanoTime() - begin) / 1_000_000,
                        eventBus);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.ERROR, "the agent''s Vert.x could not join the cluster: " + e, e);
            }
        }

        @Override
        public void modifiedService(ServiceReference<HazelcastInstance> reference, HazelcastInstance member) {
        }

        /** Synchronous: the cluster bundle unregisters its member before it shuts it down, so Vert.x leaves first. */
        @Override
        public void removedService(ServiceReference<HazelcastInstance> reference, HazelcastInstance member) {
            try {
                transitions.submit(() -> {
                    Running now = running;
                    if (now != null && now.member() == member) {
                        running = null;
                        stop(now);
                    }
                }).get(CLOSE_SECONDS + 5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.log(System.Logger.Level.WARNING, "the agent''s Vert.x did not leave the cluster cleanly: {0}",
                        e.toString());
            } finally {
                context.ungetService(reference);
            }
        }
    }

    private Running register(Vertx vertx, Dictionary<String, Object> properties, HazelcastInstance member) {
        return new Running(vertx, context.registerService(Vertx.class, vertx, properties), member);
    }

    /**
     * Vert.x finds its service providers through the thread's context class loader first; in OSGi that is
     * whatever the activating thread had, so it is this bundle's while the instance is made.
     */
    private static Vertx create(VertxOptions options, HazelcastInstance member) {
        options.setEventLoopPoolSize(2)
                .setWorkerPoolSize(4)
                .setInternalBlockingPoolSize(2)
                .setFileSystemOptions(new FileSystemOptions().setClassPathResolvingEnabled(false).setFileCachingEnabled(false));
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(Vertx.class.getClassLoader());
        try {
            if (member == null) {
                return Vertx.vertx(options);
            }
            // a cluster manager on an instance it did not make leaves it running when Vert.x closes
            Future<Vertx> joined = Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(member))
                    .buildClustered();
            return joined.toCompletionStage().toCompletableFuture().get(JOIN_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the agent's Vert.x joined the cluster", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the agent's Vert.x did not join the cluster: " + e.getMessage(), e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static void stop(Running now) {
        try {
            now.registration().unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping and the framework unregistered it
        }
        try {
            now.vertx().close().toCompletionStage().toCompletableFuture().get(CLOSE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "the agent''s Vert.x did not close cleanly: {0}", e.toString());
        }
    }

    @Deactivate
    void close() {
        if (members != null) {
            members.close(); // leaves the cluster (removedService) while the member still runs
        }
        try {
            transitions.submit(() -> {
                Running now = running;
                running = null;
                if (now != null) {
                    stop(now);
                }
            }).get(CLOSE_SECONDS + 5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "the agent''s Vert.x did not close cleanly: {0}", e.toString());
        } finally {
            transitions.shutdownNow();
        }
    }
}
