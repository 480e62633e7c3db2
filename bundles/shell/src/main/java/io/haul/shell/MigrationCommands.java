package io.haul.shell;

import io.haul.api.ContainerRef;
import io.haul.api.HaulException;
import io.haul.api.migration.ConvergencePolicy;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.MigrationRequest;
import io.haul.api.migration.MigrationService;
import io.haul.api.migration.Outcome;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** The {@code haul:} commands that move containers and follow their migrations. */
@Component(service = MigrationCommands.class, property = {
    "osgi.command.scope=haul",
    "osgi.command.function=migrate",
    "osgi.command.function=migrations",
    "osgi.command.function=migration",
    "osgi.command.function=cancel"
})
public final class MigrationCommands {

    private static final String JSON_HELP = "print JSON for scripts instead of text";
    /** How often a wait re-reads the record, in case its last event was lost with a member. */
    private static final Duration RECHECK = Duration.ofSeconds(5);

    /**
     * How long after the agent's start a command waits for the engine: the control socket opens before the
     * engine is up (it waits for a transport, which waits for the cluster's Vert.x), and
     * {@code ./haul agent & ./haul migrate ...} must not fail for that.
     */
    static final Duration STARTING = Duration.ofSeconds(60);

    private MigrationService engine; // guarded by this

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    synchronized void bindEngine(MigrationService service) {
        engine = service;
        notifyAll();
    }

    synchronized void unbindEngine(MigrationService service) {
        if (engine == service) {
            engine = null;
        }
    }

    /** The engine, waited for while the agent starts; afterwards its absence is an error that says where to look. */
    private synchronized MigrationService engine() throws HaulException, InterruptedException {
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, STARTING.toMillis() - uptime));
        while (engine == null && deadline - System.nanoTime() > 0) {
            TimeUnit.NANOSECONDS.timedWait(this, deadline - System.nanoTime());
        }
        if (engine == null) {
            throw new HaulException("engine.not-running", "the migration engine is not running on this agent (up "
                    + Duration.ofMillis(ManagementFactory.getRuntimeMXBean().getUptime()).toSeconds() + " s): it "
                    + "starts once a transport is up; ./haul transports and the agent's log say what it waits for");
        }
        return engine;
    }

    @Descriptor("move a running container to another agent, live; prints progress, then a summary")
    public Object migrate(CommandSession session,
            @Descriptor("the destination agent, by name or address") @Parameter(names = "--to", absentValue = "") String to,
            @Descriptor("the pre-dump strategy (default: the agent's)") @Parameter(names = {"-s", "--strategy"},
                    absentValue = "") String strategy,
            @Descriptor("the transport (default: the agent's)") @Parameter(names = "--transport", absentValue = "")
                    String transport,
            @Descriptor("the downtime target of pre-copy, in ms") @Parameter(names = "--downtime", absentValue = "300")
                    long downtimeMillis,
            @Descriptor(JSON_HELP) @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false")
                    boolean json,
            @Descriptor("the container, as backend:id (haul:ps lists them)") String container) throws Exception {
        if (to.isBlank()) {
            throw new HaulException("usage", "say where to: migrate " + container + " --to AGENT");
        }
        ContainerRef ref;
        try {
            ref = ContainerRef.parse(container);
        } catch (IllegalArgumentException e) {
            throw new HaulException("usage", e.getMessage());
        }
        ConvergencePolicy defaults = ConvergencePolicy.DEFAULT;
        ConvergencePolicy policy = new ConvergencePolicy(Duration.ofMillis(downtimeMillis), defaults.maxRounds(),
                defaults.minPages(), defaults.maxGrowth());
        MigrationRecord started = engine().start(new MigrationRequest(ref, to, strategy, transport, policy, Map.of()));
        PrintStream out = session.getConsole();
        if (!json) {
            out.println("migration " + started.id() + ": " + ref + " from " + started.source() + " to "
                    + started.destination());
        }
        MigrationRecord ended = follow(started, json ? null : out);
        if (json) {
            return new JsonView(ended);
        }
        out.println();
        out.print(MigrationFormats.record(ended));
        if (ended.outcome() != Outcome.SUCCEEDED) {
            // the last line says where the container is, whether or not the migration's last event got here (one
            // published while the cluster lost a member can be dropped: LxcMigrationIT once missed it)
            throw new HaulException("migration." + ended.outcome().name().toLowerCase(java.util.Locale.ROOT),
                    "the migration " + ended.outcome().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                    + (ended.error() == null ? "" : ": " + ended.error().message())
                    + (ended.outcome() == Outcome.ROLLED_BACK || ended.outcome() == Outcome.CANCELLED
                            ? "; " + ref + " keeps running here" : ""));
        }
        return null;
    }

    @Descriptor("the migrations of the whole cluster, newest first")
    public Object migrations(@Descriptor(JSON_HELP) @Parameter(names = {"-j", "--json"}, presentValue = "true",
            absentValue = "false") boolean json) throws HaulException, InterruptedException {
        MigrationList list = new MigrationList(engine().list());
        return json ? new JsonView(list) : list;
    }

    @Descriptor("one migration with its figures and error")
    public Object migration(@Descriptor(JSON_HELP) @Parameter(names = {"-j", "--json"}, presentValue = "true",
            absentValue = "false") boolean json,
            @Descriptor("the migration's id, or a unique start of it") String id)
            throws HaulException, InterruptedException {
        MigrationRecord record = find(id);
        return json ? new JsonView(record) : record;
    }

    @Descriptor("stop a migration before its commit point and roll it back; waits until it has")
    public Object cancel(CommandSession session, @Descriptor("the migration's id, or a unique start of it") String id)
            throws Exception {
        MigrationRecord record = engine().cancel(find(id).id());
        return follow(record, null);
    }

    /** Prints the migration's events (when {@code out} is given) until it ends; returns its last record. */
    private MigrationRecord follow(MigrationRecord started, PrintStream out) throws Exception {
        CountDownLatch ended = new CountDownLatch(1);
        Instant start = started.started();
        MigrationService migrations = engine();
        try (AutoCloseable subscription = migrations.subscribe(started.id(), event -> {
            if (out != null) {
                out.println(MigrationFormats.progress(event, start));
            }
            if (event.last()) {
                ended.countDown();
            }
        })) {
            while (!ended.await(RECHECK.toMillis(), TimeUnit.MILLISECONDS)) {
                if (migrations.find(started.id()).map(r -> r.outcome() != Outcome.IN_PROGRESS).orElse(true)) {
                    break;
                }
            }
        }
        return migrations.find(started.id()).orElse(started);
    }

    private MigrationRecord find(String id) throws HaulException, InterruptedException {
        List<MigrationRecord> matches = engine().list().stream().filter(r -> r.id().startsWith(id)).toList();
        if (matches.isEmpty()) {
            throw new HaulException("migration.not-found", "no migration " + id + "; haul:migrations lists them");
        }
        if (matches.size() > 1) {
            throw new HaulException("migration.ambiguous", id + " starts " + matches.size() + " migration ids; give more of it");
        }
        return matches.getFirst();
    }

}
