package io.haul.engine;

import io.haul.agent.AgentSettings;
import io.haul.api.HaulException;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.MigrationRequest;
import io.haul.api.migration.MigrationService;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.ProgressListener;
import io.haul.api.plugin.PluginDirectory;
import io.haul.api.transport.Transport;
import io.haul.cluster.AgentInfo;
import io.haul.cluster.Cluster;
import io.haul.criu.Criu;
import io.haul.host.HostProbe;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MigrationService} of this agent: starts migrations as their source, accepts them as a
 * destination on the configured transport, publishes this agent in the registry, and on start settles the
 * migrations a previous run of this agent left in flight.
 */
@Component(configurationPid = EngineConfiguration.PID, immediate = true)
@Designate(ocd = EngineConfiguration.class)
public final class MigrationEngine implements MigrationService {

    private static final Logger LOG = LoggerFactory.getLogger(MigrationEngine.class);

    private final MigrationContext context;
    private final Recovery recovery;
    private final Cluster cluster;
    private final EngineConfiguration config;
    private final ExecutorService migrations = Executors.newVirtualThreadPerTaskExecutor();
    private final Transport.Listener listener;
    private final MigrationStarter starter;
    private final KeptFolders kept;
    private final java.util.concurrent.ScheduledExecutorService republisher =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("haul-registry").factory());
    /** How often this agent refreshes its registry entry: after a network split the other side drops it. */
    private static final long REPUBLISH_SECONDS = 5;

    @Activate
    public MigrationEngine(@Reference Criu criu, @Reference Cluster cluster, @Reference HostProbe host,
            @Reference AgentSettings settings, @Reference PluginDirectory plugins,
            @Reference(name = "listenTransport", target = "(" + Transport.NAME + "=tls)") Transport listenTransport,
            EngineConfiguration config) throws HaulException {
        this.cluster = cluster;
        this.config = config;
        Path migrationsDir = settings.stateDir().resolve("migrations");
        this.context = new MigrationContext(settings.name(), plugins, criu,
                new LocalCapabilities(host, plugins, migrationsDir, Clock.systemUTC()), cluster.migrations(), migrationsDir,
                Duration.ofSeconds(config.stepTimeoutSeconds()), Duration.ofSeconds(config.restoreTimeoutSeconds()),
                config.pageStoreMemoryMiB() << 20, config.lazyRestore(),
                config.capturePageImages(), config.preparePageImages(), Clock.systemUTC(),
                config.testHoldAt().isBlank() ? FaultPoints.NONE : new HoldPoint(config.testHoldAt().strip(), migrationsDir));
        this.kept = new KeptFolders(migrationsDir, config.keptMigrations(), id -> context.store().get(id));
        this.starter = new MigrationStarter(context, this::runThenPrune);
        this.recovery = new Recovery(context);
        recovery.settle();
        pruneFolders();
        this.listener = listen(listenTransport);
    }

    @Deactivate
    void deactivate() {
        recovery.close();
        republisher.shutdownNow();
        if (listener != null) {
            listener.close();
        }
        migrations.shutdownNow(); // sessions end; sources roll back as CRIU loses its peer
    }

    /** Runs one side of a migration; when it has ended, old folders go. */
    private void runThenPrune(Runnable migration) {
        migrations.execute(() -> {
            try {
                migration.run();
            } finally {
                pruneFolders();
            }
        });
    }

    /** After a migration ended on this agent (either side), and at the start: old folders go. */
    private void pruneFolders() {
        try {
            kept.prune(context.clock().instant());
        } catch (RuntimeException e) {
            LOG.warn("could not remove the folders of old migrations: {}", e.toString());
        }
    }

    /**
     * Accepts migrations on the transport chosen by the {@code listenTransport.target} filter of this
     * component's configuration (TLS by default), and tells the cluster where.
     */
    private Transport.Listener listen(Transport transport) throws HaulException {
        if (!transport.usability().usable()) {
            LOG.warn("the transport is not usable, so this agent accepts no migrations: {}",
                    transport.usability().reason());
            return null;
        }
        Transport.Listener listening = transport.listen(Addresses.parse(config.listen()),
                connection -> runThenPrune(new DestinationMigration(context, connection)));
        String advertised = Addresses.advertised(config.advertise(), listening.address());
        Runnable publish = () -> {
            try {
                cluster.agents().publish(new AgentInfo(context.agentName(), advertised,
                        Map.of("transport", config.transport()), context.clock().instant()));
            } catch (RuntimeException e) {
                LOG.warn("could not publish this agent in the registry: {}", e.toString());
            }
        };
        publish.run();
        republisher.scheduleWithFixedDelay(publish, REPUBLISH_SECONDS, REPUBLISH_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        LOG.info("accepting migrations on {}, advertised as {}", listening.address(), advertised);
        return listening;
    }

    @Override
    public MigrationRecord start(MigrationRequest request) throws HaulException {
        AgentInfo destination = cluster.agents().resolve(request.destination()).orElseThrow(() ->
                new HaulException("agent.not-found", "no agent named or at '" + request.destination()
                        + "' in the cluster; known: " + cluster.agents().list().stream().map(AgentInfo::name).toList()));
        if (destination.name().equals(context.agentName())) {
            throw new HaulException("agent.self", "the destination " + destination.name() + " is this agent");
        }
        return starter.start(request, destination,
                request.strategy().isBlank() ? config.strategy() : request.strategy(),
                request.transport().isBlank() ? config.transport() : request.transport());
    }

    @Override
    public Optional<MigrationRecord> find(String id) {
        return context.store().get(id);
    }

    @Override
    public List<MigrationRecord> list() {
        return context.store().list();
    }

    @Override
    public MigrationRecord cancel(String id) throws HaulException {
        MigrationRecord record = find(id).orElseThrow(() -> new HaulException("migration.not-found",
                "no migration " + id + "; haul:migrations lists them"));
        if (record.outcome() != Outcome.IN_PROGRESS) {
            throw new HaulException("migration.ended", "migration " + id + " has ended already: " + record.outcome());
        }
        if (!record.phase().rollsBack()) {
            throw new HaulException("migration.committed", "migration " + id
                    + " has passed its commit point; the destination is the container now");
        }
        context.store().requestCancel(id);
        return record;
    }

    @Override
    public AutoCloseable subscribe(String id, ProgressListener listener) throws HaulException {
        if (find(id).isEmpty()) {
            throw new HaulException("migration.not-found", "no migration " + id);
        }
        return context.store().subscribe(id, listener);
    }
}
