package io.haul.eventbus.internal;

import io.haul.api.ContainerRef;
import io.haul.api.HaulException;
import io.haul.api.backend.ContainerBackend;
import io.haul.api.backend.ContainerInfo;
import io.haul.api.migration.ConvergencePolicy;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.MigrationRequest;
import io.haul.api.migration.MigrationService;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.ProgressEvent;
import io.haul.api.namespace.ContainerNamespaces;
import io.haul.api.plugin.PluginDirectory;
import io.haul.api.plugin.PluginKind;
import io.haul.api.plugin.PluginLease;
import io.haul.cluster.AgentInfo;
import io.haul.cluster.Cluster;
import io.haul.eventbus.BusApi;
import io.haul.eventbus.BusSignature;
import io.haul.host.HostProbe;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Haul's event-bus API on this agent (README.md, "The event-bus API"): a consumer on each request address of
 * {@link BusApi} (every agent registers them, so the cluster's event bus hands each request to one of them), and one
 * on this agent's own address for each request that must run here ({@link BusApi#onAgent}): a start on its source,
 * a cancel and a catch-up where the migration's source relays its events, a listing of containers or a check of the
 * agent named. The agent that receives such a request elsewhere forwards it there and relays the answer.
 *
 * <p>Events: the migration store's progress events of every migration this agent is the source of (only the source
 * publishes them) are relayed, numbered per migration and in the order the store delivers them, onto
 * {@link BusApi#EVENTS} and the migration's own address, each with the record as it was then; one event-loop context
 * publishes them all, so the event bus keeps that order. They are kept ({@link EventLog}) for subscribers that come
 * late. The bridge ({@link Bridge}) lets services outside the cluster in. On a local Vertx (an agent without
 * certificates, a test framework) the API serves that JVM only, without a bridge, and starts and cancels nothing.
 *
 * <p>Requests run on virtual threads (the service's calls block), never on the event loop. Whatever a request holds
 * that does not read, is too large, is in another version, lacks a right or names what does not exist gets a failure
 * reply and changes nothing.
 */
@Component(immediate = true, configurationPid = EventBusConfiguration.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = EventBusConfiguration.class)
public final class EventBusApi {

    private static final Logger LOG = LoggerFactory.getLogger(EventBusApi.class);
    /** A request answered after this long is logged with where its time went (clients give up after 30 s). */
    private static final long SLOW_REQUEST_MILLIS = 5_000;
    /** How long the activation waits for its consumers to be known across the cluster. */
    private static final long REGISTER_SECONDS = 30;
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;
    /** Migrations whose source this agent knows, so that it reads a record only for the events it relays. */
    private static final int OWNERS_KEPT = 1024;

    private final BundleContext bundleContext;
    private final ServiceReference<Vertx> vertxReference;
    private final Vertx vertx;
    private final MigrationService migrations;
    private final PluginDirectory plugins;
    /** haul:ps's judgement of each listed container, so that the bus says what the shell says. */
    private final ContainerNamespaces namespaces;
    private final HostProbe host;
    private final Cluster cluster;
    private final EventBusConfiguration config;
    private final Authorizer authorizer;
    private final EventLog log;
    private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
    private final ExecutorService relay = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon()
            .name("haul-eventbus-relay").factory());
    private final Map<String, Boolean> owned = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > OWNERS_KEPT;
        }
    };
    private final Context publisher;
    private final List<MessageConsumer<Object>> consumers = new ArrayList<>();
    private final AutoCloseable subscription;
    private final Bridge bridge;

    @Activate
    public EventBusApi(BundleContext bundleContext,
            @Reference(service = Vertx.class) ServiceReference<Vertx> vertxReference,
            @Reference MigrationService migrations, @Reference PluginDirectory plugins, @Reference HostProbe host,
            @Reference Cluster cluster, @Reference ContainerNamespaces namespaces, EventBusConfiguration config)
            throws Exception {
        this.namespaces = namespaces;
        this.bundleContext = bundleContext;
        this.vertxReference = vertxReference;
        this.vertx = bundleContext.getService(vertxReference);
        this.migrations = migrations;
        this.plugins = plugins;
        this.host = host;
        this.cluster = cluster;
        this.config = config;
        boolean clustered = Boolean.TRUE.equals(vertxReference.getProperty("haul.vertx.clustered"));
        Set<String> operators = Arrays.stream(config.operators().split("[,\\s]+")).map(String::strip)
                .filter(s -> !s.isEmpty()).collect(Collectors.toCollection(java.util.TreeSet::new));
        Path caCert = clustered ? Path.of(String.valueOf(vertxReference.getProperty("haul.tls.caCert"))) : null;
        this.authorizer = new Authorizer(caCert == null ? null : BusSignature.certificate(Files.readString(caCert)),
                operators, () -> cluster.agents().list().stream().map(AgentInfo::name).collect(Collectors.toSet()),
                Duration.ofSeconds(config.maxClockSkewSeconds()), Clock.systemUTC());
        this.log = new EventLog(config.eventsKept());
        this.publisher = vertx.getOrCreateContext();
        String bindHost = clustered ? hostOf(String.valueOf(vertxReference.getProperty("haul.vertx.eventBus"))) : null;
        try {
            register();
            this.subscription = cluster.migrations().subscribeAll(event -> relay.execute(() -> relay(event)));
            // the bridge needs the agent's certificates, which only a clustered Vertx names
            if (clustered && config.bridgePort() != 0) {
                Path certificate = Path.of(String.valueOf(vertxReference.getProperty("haul.tls.certificate")));
                Path privateKey = Path.of(String.valueOf(vertxReference.getProperty("haul.tls.privateKey")));
                this.bridge = Bridge.start(vertx, bindHost, config.bridgePort(), caCert, certificate, privateKey,
                        BusSignature.load(certificate, privateKey));
            } else {
                this.bridge = null;
            }
        } catch (Exception e) {
            close();
            throw e;
        }
        if (!clustered) {
            LOG.warn("the agent's Vert.x is not clustered (no certificates): the event-bus API serves this agent's own "
                    + "JVM only, with no bridge, and refuses every start and cancel");
        }
        LOG.info("event-bus API of agent {}: {} request addresses, events on {}.*, operators {}{}", local(),
                BusApi.REQUESTS.size(), BusApi.EVENTS, operators.isEmpty() ? "none" : operators,
                bridge == null ? ", no bridge" : ", bridge on " + bindHost + ":" + config.bridgePort());
    }

    private static String hostOf(String hostPort) {
        return hostPort.substring(0, hostPort.lastIndexOf(':'));
    }

    private String local() {
        return cluster.localAgent();
    }

    /** The consumers of every request address and of this agent's own ones, known across the cluster on return. */
    private void register() throws Exception {
        EventBus bus = vertx.eventBus();
        List<Future<Void>> registered = new ArrayList<>();
        for (String address : BusApi.REQUESTS) {
            MessageConsumer<Object> shared = bus.consumer(address, message -> handle(address, message, false));
            consumers.add(shared);
            registered.add(shared.completion());
        }
        for (String address : List.of(BusApi.START, BusApi.CANCEL, BusApi.CATCH_UP, BusApi.CONTAINERS, BusApi.CHECK)) {
            MessageConsumer<Object> own = bus.consumer(BusApi.onAgent(local(), address),
                    message -> handle(address, message, true));
            consumers.add(own);
            registered.add(own.completion());
        }
        Future.all(registered).toCompletionStage().toCompletableFuture().get(REGISTER_SECONDS, TimeUnit.SECONDS);
    }

    @Deactivate
    void close() {
        if (bridge != null) {
            bridge.close();
        }
        if (subscription != null) {
            try {
                subscription.close();
            } catch (Exception e) {
                LOG.debug("closing the progress subscription: {}", e.toString());
            }
        }
        relay.shutdownNow();
        for (MessageConsumer<Object> consumer : consumers) {
            try {
                consumer.unregister().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                LOG.debug("unregistering {}: {}", consumer.address(), e.toString());
            }
        }
        requests.shutdownNow();
        try {
            bundleContext.ungetService(vertxReference);
        } catch (IllegalStateException stopping) {
            // the bundle is stopping
        }
    }

    // ---- requests -------------------------------------------------------------------------------------

    /** One request, on a virtual thread; every outcome is a reply. */
    private void handle(String address, Message<Object> message, boolean here) {
        long received = System.nanoTime();
        requests.execute(() -> {
            long started = System.nanoTime();
            try {
                JsonObject body = Requests.read(message.body(), config.maxRequestBytes());
                message.reply(answer(address, body, message.headers(), here, received));
            } catch (BusFailure failure) {
                failure.replyTo(message);
            } catch (HaulException e) {
                BusFailure.of(e).replyTo(message);
            } catch (RuntimeException e) {
                LOG.warn("event-bus request to {} failed", address, e);
                message.fail(BusApi.FAILURE_INTERNAL, "internal: " + e);
            } finally {
                warnIfSlow(address, here, received, started);
            }
        });
    }

    /**
     * A client waits 30 s at most for an answer: a request that took a good part of that says where the time
     * went (waiting for a thread, or answering), so that a client's "no answer" can be traced to its cause.
     */
    private static void warnIfSlow(String address, boolean here, long received, long started) {
        long waited = TimeUnit.NANOSECONDS.toMillis(started - received);
        long answered = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        if (waited + answered > SLOW_REQUEST_MILLIS) {
            LOG.warn("event-bus request to {}{} answered after {} ms ({} ms waiting for a thread)", address,
                    here ? " (this agent's own)" : "", waited + answered, waited);
        }
    }

    /** {@code received}: when the request reached this agent (System.nanoTime), what a forward's wait counts from. */
    private JsonObject answer(String address, JsonObject body, MultiMap headers, boolean here, long received)
            throws BusFailure, HaulException {
        return switch (address) {
            case BusApi.START -> start(body, headers, here, received);
            case BusApi.GET -> Requests.reply("migration", find(Requests.string(body, "id", true)));
            case BusApi.LIST -> list(body);
            case BusApi.CANCEL -> cancel(body, headers, here, received);
            case BusApi.CATCH_UP -> catchUp(body, headers, here, received);
            case BusApi.AGENTS -> agents();
            case BusApi.CONTAINERS -> containers(body, headers, here, received);
            case BusApi.CHECK -> check(body, headers, here, received);
            default -> throw new IllegalStateException("no handler for " + address);
        };
    }

    private JsonObject start(JsonObject body, MultiMap headers, boolean here, long received) throws BusFailure, HaulException {
        String source = agentName(Requests.string(body, "source", true));
        if (!here && !source.equals(local())) {
            return forward(BusApi.START, source, body, headers, received);
        }
        MigrationRequest request = request(body);
        String principal = authorizer.authorize(BusApi.START, body, headers);
        MigrationRecord started = migrations.start(request);
        LOG.info("{} started migration {} of {} to {} over the event bus", principal, started.id(), started.container(),
                started.destination());
        return Requests.reply("migration", started);
    }

    /** The request a start message describes; every name it gives checked before anything starts. */
    private MigrationRequest request(JsonObject body) throws BusFailure {
        ContainerRef container;
        try {
            container = ContainerRef.parse(Requests.string(body, "container", true));
        } catch (IllegalArgumentException e) {
            throw BusFailure.invalid("\"container\": " + e.getMessage());
        }
        String destination = Requests.string(body, "destination", true);
        String strategy = plugin(PluginKind.STRATEGY, Requests.string(body, "strategy", false));
        String transport = plugin(PluginKind.TRANSPORT, Requests.string(body, "transport", false));
        JsonObject policy = Requests.object(body, "policy");
        ConvergencePolicy defaults = ConvergencePolicy.DEFAULT;
        ConvergencePolicy convergence;
        try {
            convergence = new ConvergencePolicy(
                    Duration.ofMillis(Requests.number(policy, "downtimeMillis", defaults.downtimeTarget().toMillis()).longValue()),
                    Requests.number(policy, "maxRounds", defaults.maxRounds()).intValue(),
                    Requests.number(policy, "minPages", defaults.minPages()).longValue(),
                    Requests.number(policy, "maxGrowth", defaults.maxGrowth()).doubleValue());
        } catch (IllegalArgumentException e) {
            throw BusFailure.invalid("\"policy\": " + e.getMessage());
        }
        return new MigrationRequest(container, destination, strategy, transport, convergence,
                Requests.strings(body, "options"));
    }

    /** A plugin named in a request: registered now, or a failure naming those that are. */
    private String plugin(PluginKind<?> kind, String name) throws BusFailure {
        if (name == null) {
            return "";
        }
        List<String> names = plugins.names(kind);
        if (!names.contains(name)) {
            throw new BusFailure(BusApi.FAILURE_NOT_FOUND, kind.name().toLowerCase(java.util.Locale.ROOT) + ".not-found",
                    "no " + kind.name().toLowerCase(java.util.Locale.ROOT) + " named '" + name + "'; there are " + names);
        }
        return name;
    }

    private JsonObject cancel(JsonObject body, MultiMap headers, boolean here, long received) throws BusFailure, HaulException {
        MigrationRecord record = find(Requests.string(body, "id", true));
        if (!here && !record.source().equals(local())) {
            return forward(BusApi.CANCEL, record.source(), body, headers, received);
        }
        String principal = authorizer.authorize(BusApi.CANCEL, body, headers);
        MigrationRecord cancelled = migrations.cancel(record.id());
        LOG.info("{} cancelled migration {} over the event bus", principal, record.id());
        return Requests.reply("migration", cancelled);
    }

    private JsonObject catchUp(JsonObject body, MultiMap headers, boolean here, long received) throws BusFailure {
        MigrationRecord record = find(Requests.string(body, "id", true));
        if (!here && !record.source().equals(local())) {
            return forward(BusApi.CATCH_UP, record.source(), body, headers, received);
        }
        // the log before the record: every event it holds is at most as new as the record read after it
        JsonObject kept = log.catchUp(record.id());
        MigrationRecord now = migrations.find(record.id()).orElse(record);
        return kept.put("v", BusApi.VERSION).put("migration", Requests.json(now));
    }

    private MigrationRecord find(String id) throws BusFailure {
        Optional<MigrationRecord> exact = migrations.find(id);
        if (exact.isPresent()) {
            return exact.get();
        }
        List<MigrationRecord> matches = migrations.list().stream().filter(r -> r.id().startsWith(id)).toList();
        if (matches.isEmpty()) {
            throw new BusFailure(BusApi.FAILURE_NOT_FOUND, "migration.not-found", "no migration " + id);
        }
        if (matches.size() > 1) {
            throw new BusFailure(BusApi.FAILURE_REFUSED, "migration.ambiguous", id + " starts " + matches.size()
                    + " migration ids; give more of it");
        }
        return matches.getFirst();
    }

    private JsonObject list(JsonObject body) throws BusFailure {
        String agent = Requests.string(body, "agent", false);
        String container = Requests.string(body, "container", false);
        Outcome outcome = Requests.constant(body, "outcome", Outcome.class);
        Instant since = Requests.instant(body, "since");
        Instant until = Requests.instant(body, "until");
        int limit = Requests.number(body, "limit", DEFAULT_LIMIT).intValue();
        if (limit < 1 || limit > MAX_LIMIT) {
            throw BusFailure.invalid("\"limit\" must be 1 to " + MAX_LIMIT + ", was " + limit);
        }
        List<MigrationRecord> found = migrations.list().stream()
                .filter(r -> agent == null || r.source().equals(agent) || r.destination().equals(agent))
                .filter(r -> container == null || r.container().toString().equals(container))
                .filter(r -> outcome == null || r.outcome() == outcome)
                .filter(r -> since == null || !r.started().isBefore(since))
                .filter(r -> until == null || r.started().isBefore(until))
                .limit(limit).toList();
        return Requests.reply("migrations", found);
    }

    private JsonObject agents() {
        List<AgentInfo> agents = cluster.agents().list().stream().sorted(Comparator.comparing(AgentInfo::name)).toList();
        return Requests.reply("agents", agents);
    }

    private JsonObject containers(JsonObject body, MultiMap headers, boolean here, long received) throws BusFailure {
        String agent = agentName(Requests.string(body, "agent", true));
        if (!here && !agent.equals(local())) {
            return forward(BusApi.CONTAINERS, agent, body, headers, received);
        }
        String backendName = Requests.string(body, "backend", false);
        List<String> names = plugins.names(PluginKind.BACKEND);
        if (backendName != null && !names.contains(backendName)) {
            throw new BusFailure(BusApi.FAILURE_NOT_FOUND, "backend.not-found", "no backend named '" + backendName
                    + "' on " + local() + "; there are " + names);
        }
        List<ContainerInfo> found = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String name : backendName == null ? names : List.of(backendName)) {
            Optional<PluginLease<ContainerBackend>> lease = plugins.lease(PluginKind.BACKEND, name);
            if (lease.isEmpty()) {
                continue; // went away since it was named
            }
            try (PluginLease<ContainerBackend> backend = lease.get()) {
                if (!backend.service().usability().usable()) {
                    problems.add(name + ": not usable here: " + backend.service().usability().reason());
                    continue;
                }
                backend.service().list().forEach(container -> found.add(namespaces.judged(container)));
            } catch (HaulException | RuntimeException e) {
                problems.add(name + ": could not list: " + e.getMessage());
            }
        }
        return Requests.reply("containers", found).put("agent", local()).put("problems", new JsonArray(problems));
    }

    private JsonObject check(JsonObject body, MultiMap headers, boolean here, long received) throws BusFailure {
        String agent = agentName(Requests.string(body, "agent", true));
        if (!here && !agent.equals(local())) {
            return forward(BusApi.CHECK, agent, body, headers, received);
        }
        return Requests.reply("check", host.probe()).put("agent", local());
    }

    /** The name of an agent of the cluster (given by name or address), or a failure naming those there are. */
    private String agentName(String nameOrAddress) throws BusFailure {
        return cluster.agents().resolve(nameOrAddress).map(AgentInfo::name).orElseThrow(() -> new BusFailure(
                BusApi.FAILURE_NOT_FOUND, "agent.not-found", "no agent named or at '" + nameOrAddress
                        + "' in the cluster; there are " + cluster.agents().list().stream().map(AgentInfo::name).toList()));
    }

    /**
     * The answer of the agent a request must run on, or its failure as it gave it; within what the sender still
     * waits ({@link ForwardBudget}), so that a forward that gets no answer is told to the sender as agent.unreachable
     * while it still listens.
     */
    private JsonObject forward(String address, String agent, JsonObject body, MultiMap headers, long received)
            throws BusFailure {
        ForwardBudget budget = ForwardBudget.of(headers.get(BusApi.WAIT_HEADER),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - received),
                TimeUnit.SECONDS.toMillis(config.forwardTimeoutSeconds()));
        if (!budget.left()) {
            throw new BusFailure(BusApi.FAILURE_UNREACHABLE, "agent.unreachable", "no time left to ask agent " + agent
                    + ": the sender waits " + budget.senderWaitMillis() + " ms and the request spent it on " + local());
        }
        String unanswered = "agent " + agent + " did not answer within " + budget.millis() + " ms (asked by " + local()
                + " for a sender that waits " + budget.senderWaitMillis() + " ms)";
        DeliveryOptions options = new DeliveryOptions().setHeaders(headers).setSendTimeout(budget.millis());
        try {
            Message<Object> answer = vertx.eventBus().request(BusApi.onAgent(agent, address), body, options)
                    .toCompletionStage().toCompletableFuture().get(budget.millis() + 1_000, TimeUnit.MILLISECONDS);
            if (answer.body() instanceof JsonObject json) {
                return json;
            }
            throw new BusFailure(BusApi.FAILURE_INTERNAL, "internal", "agent " + agent + " answered a "
                    + (answer.body() == null ? "null" : answer.body().getClass().getSimpleName()));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ReplyException reply) {
                if (reply.failureType() == ReplyFailure.NO_HANDLERS) {
                    throw new BusFailure(BusApi.FAILURE_NOT_FOUND, "agent.not-found", "agent " + agent
                            + " does not serve the event-bus API");
                }
                if (reply.failureType() == ReplyFailure.TIMEOUT) {
                    throw new BusFailure(BusApi.FAILURE_UNREACHABLE, "agent.unreachable", unanswered);
                }
                String text = String.valueOf(reply.getMessage());
                int colon = text.indexOf(": ");
                throw new BusFailure(reply.failureCode(), colon > 0 ? text.substring(0, colon) : "internal",
                        colon > 0 ? text.substring(colon + 2) : text);
            }
            throw new BusFailure(BusApi.FAILURE_INTERNAL, "internal", "forwarding to " + agent + ": " + e.getCause());
        } catch (TimeoutException e) {
            throw new BusFailure(BusApi.FAILURE_UNREACHABLE, "agent.unreachable", unanswered);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BusFailure(BusApi.FAILURE_INTERNAL, "internal", "interrupted while forwarding to " + agent);
        }
    }

    // ---- events ---------------------------------------------------------------------------------------

    /** On the relay thread, in the store's order: an event of a migration this agent is the source of goes out. */
    private void relay(ProgressEvent event) {
        try {
            Boolean mine = owned.get(event.migrationId());
            if (Boolean.FALSE.equals(mine)) {
                return;
            }
            Optional<MigrationRecord> record = migrations.find(event.migrationId());
            if (record.isEmpty()) {
                return;
            }
            boolean source = record.get().source().equals(local());
            owned.put(event.migrationId(), source);
            if (!source) {
                return;
            }
            JsonObject message = log.append(event.migrationId(), seq -> new JsonObject().put("v", BusApi.VERSION)
                    .put("seq", seq).put("event", Requests.json(event)).put("migration", Requests.json(record.get())));
            publisher.runOnContext(nothing -> {
                EventBus bus = vertx.eventBus();
                bus.publish(BusApi.EVENTS, message);
                bus.publish(BusApi.events(event.migrationId()), message);
            });
        } catch (RuntimeException e) {
            LOG.warn("could not relay an event of migration {}: {}", event.migrationId(), e.toString());
        }
    }
}
