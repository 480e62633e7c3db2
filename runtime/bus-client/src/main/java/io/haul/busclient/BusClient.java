package io.haul.busclient;

import io.haul.eventbus.BusApi;
import io.haul.eventbus.BusSignature;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An example client of Haul's event-bus API (README.md, "The event-bus API"): joins the agents' cluster as a Vert.x
 * member, or connects to an agent's TCP bridge, and
 * <pre>
 *   agents                                      lists the agents
 *   migrate CONTAINER --from AGENT --to AGENT   starts a migration, prints its events as they come, exits 0 when it
 *                                               succeeded (1 when it did not, 3 when the request was refused)
 *   cancel ID                                   cancels a migration before its commit point
 *   events                                      prints every migration's events until stopped
 *   send ADDRESS BODY...                        sends raw bodies, one line per answer ("ok JSON" or "failed CODE TEXT")
 * </pre>
 * It exits 2 when the event bus does not answer. {@code --json} prints the messages themselves, one a line.
 */
public final class BusClient {

    private static final String USAGE = """
            usage: bus-client (--cluster NAME --members IP[:PORT][,...] --bind IP [--port N] | --bridge HOST:PORT) --tls DIR
                              [--timeout SECONDS] [--json] COMMAND
              --tls DIR        ca.pem, agent.pem, agent.key of a certificate of the cluster CA (runtime/setup/make-certs.sh)
            commands:
              agents
              migrate CONTAINER --from AGENT --to AGENT [--strategy NAME] [--downtime MS]
              cancel ID
              events
              send ADDRESS BODY [ADDRESS BODY...]""";
    /** How often a wait for a migration's end asks again for what it missed (an event lost with a member). */
    private static final Duration RECHECK = Duration.ofSeconds(5);
    /** The longest wait for one answer; shorter when --timeout is. */
    private static final long MAX_REQUEST_MILLIS = 30_000;

    private final Bus bus;
    private final BusSignature signer;
    private final boolean json;
    private final Duration timeout;
    private final long requestMillis;
    private final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);

    private BusClient(Bus bus, BusSignature signer, boolean json, Duration timeout) {
        this.bus = bus;
        this.signer = signer;
        this.json = json;
        this.timeout = timeout;
        this.requestMillis = requestMillis(timeout);
    }

    private static long requestMillis(Duration timeout) {
        return Math.min(MAX_REQUEST_MILLIS, timeout.toMillis());
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        // Hazelcast tells every step of its join at INFO; -Dhaul.busclient.log=INFO shows them
        Logger.getLogger("com.hazelcast").setLevel(Level.parse(System.getProperty("haul.busclient.log", "WARNING")));
        Map<String, String> options = new LinkedHashMap<>();
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--json") || arg.equals("--help")) {
                options.put(arg, "true");
            } else if (arg.startsWith("--") && i + 1 < args.length) {
                options.put(arg, args[++i]);
            } else {
                words.add(arg);
            }
        }
        if (options.containsKey("--help") || words.isEmpty() || !options.containsKey("--tls")
                || !(options.containsKey("--cluster") || options.containsKey("--bridge"))) {
            System.err.println(USAGE);
            return 64;
        }
        Duration timeout = Duration.ofSeconds(Long.parseLong(options.getOrDefault("--timeout", "600")));
        Bus.Tls tls = Bus.Tls.in(Path.of(options.get("--tls")));
        Bus bus;
        try {
            if (options.containsKey("--bridge")) {
                String where = options.get("--bridge");
                int colon = where.lastIndexOf(':');
                bus = Bus.bridge(where.substring(0, colon), Integer.parseInt(where.substring(colon + 1)), tls, requestMillis(timeout));
            } else {
                // an address without a port: the agents' member port, not Hazelcast's guess from this member's own
                List<String> members = Arrays.stream(options.getOrDefault("--members", "").split(",")).map(String::strip)
                        .filter(m -> !m.isEmpty()).map(m -> m.contains(":") ? m : m + ":5701").toList();
                bus = Bus.member(options.get("--cluster"), members,
                        options.get("--bind"), Integer.parseInt(options.getOrDefault("--port", "5710")), tls,
                        MAX_REQUEST_MILLIS); // joining takes seconds on a busy machine, whatever the timeout
            }
        } catch (Exception e) {
            System.err.println("bus-client: cannot reach the event bus: " + e);
            return 2;
        }
        Bus joined = bus;
        // SIGTERM (a service manager, a test) leaves the cluster cleanly instead of being found gone by heartbeats
        Thread leave = new Thread(joined::close, "bus-client-leave");
        Runtime.getRuntime().addShutdownHook(leave);
        try {
            BusSignature signer = bus.signs() ? BusSignature.load(tls.certificate(), tls.privateKey()) : null;
            BusClient client = new BusClient(bus, signer, options.containsKey("--json"), timeout);
            return switch (words.getFirst()) {
                case "agents" -> client.agents();
                case "migrate" -> client.migrate(words.subList(1, words.size()), options);
                case "cancel" -> client.cancel(words.get(1));
                case "events" -> client.events();
                case "send" -> client.send(words.subList(1, words.size()));
                default -> {
                    System.err.println(USAGE);
                    yield 64;
                }
            };
        } catch (NoAnswer e) {
            System.err.println("bus-client: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("bus-client: " + e);
            return 1;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(leave);
                bus.close();
            } catch (IllegalStateException shuttingDown) {
                // the hook leaves
            }
        }
    }

    /** The event bus gave no answer at all (no agent, or none that would talk to this client). */
    private static final class NoAnswer extends Exception {
        NoAnswer(String message) {
            super(message);
        }
    }

    /** A request's answer; a failure the agent gave is thrown as its ReplyException. */
    private JsonObject request(String address, Object body) throws Exception {
        Map<String, String> headers = new LinkedHashMap<>(BusApi.OPERATIONS.contains(address)
                ? Bus.signature(bus, signer, address, body) : Map.of());
        // so that an agent that forwards the request gives up in time to say so (agent.unreachable)
        headers.put(BusApi.WAIT_HEADER, Long.toString(requestMillis));
        try {
            return bus.request(address, body, headers, requestMillis).toCompletionStage().toCompletableFuture()
                    .get(requestMillis + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ReplyException reply && reply.failureCode() > 0) {
                throw reply;
            }
            throw new NoAnswer("no answer on " + address + ": " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new NoAnswer("no answer on " + address + " within " + requestMillis + " ms");
        }
    }

    private int agents() throws Exception {
        JsonObject reply = request(BusApi.AGENTS, new JsonObject().put("v", BusApi.VERSION));
        if (json) {
            out.println(reply.encode());
            return 0;
        }
        for (Object agent : reply.getJsonArray("agents")) {
            JsonObject a = (JsonObject) agent;
            out.printf("%-16s %s%n", a.getString("name"), a.getString("address"));
        }
        return 0;
    }

    private int migrate(List<String> words, Map<String, String> options) throws Exception {
        if (words.size() != 1 || !options.containsKey("--from") || !options.containsKey("--to")) {
            System.err.println(USAGE);
            return 64;
        }
        JsonObject start = new JsonObject().put("v", BusApi.VERSION).put("source", options.get("--from"))
                .put("container", words.getFirst()).put("destination", options.get("--to"));
        if (options.containsKey("--strategy")) {
            start.put("strategy", options.get("--strategy"));
        }
        if (options.containsKey("--downtime")) {
            start.put("policy", new JsonObject().put("downtimeMillis", Long.parseLong(options.get("--downtime"))));
        }
        JsonObject started;
        try {
            started = request(BusApi.START, start);
        } catch (ReplyException refused) {
            printFailure(refused);
            return 3;
        }
        JsonObject record = started.getJsonObject("migration");
        String id = record.getString("id");
        if (json) {
            out.println(started.encode());
        } else {
            out.printf("migration %s: %s from %s to %s%n", id, container(record), record.getString("source"),
                    record.getString("destination"));
        }
        JsonObject last = follow(id, Instant.parse(record.getString("started")));
        if (last == null) {
            System.err.println("bus-client: migration " + id + " did not end within " + timeout.toSeconds() + " s");
            return 1;
        }
        JsonObject ended = last.getJsonObject("migration");
        if (!json) {
            summary(ended);
        }
        return "SUCCEEDED".equals(ended.getString("outcome")) ? 0 : 1;
    }

    /**
     * Prints the migration's events in order until its last one, which it returns (null on the timeout). It subscribes
     * first, then asks for what was relayed before (catch-up), and prints each event once, by its number: a live
     * event past a gap asks for the catch-up again, and so does a wait that heard nothing for {@link #RECHECK}.
     */
    private JsonObject follow(String id, Instant started) throws Exception {
        LinkedBlockingQueue<JsonObject> live = new LinkedBlockingQueue<>();
        bus.subscribe(BusApi.events(id), live::add).toCompletionStage().toCompletableFuture()
                .get(requestMillis, TimeUnit.MILLISECONDS);
        TreeMap<Long, JsonObject> ahead = new TreeMap<>();
        long printed = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean catchUp = true;
        int endedChecks = 0;
        while (System.nanoTime() < deadline) {
            JsonObject ended = null;
            if (catchUp) {
                JsonObject kept = request(BusApi.CATCH_UP, new JsonObject().put("v", BusApi.VERSION).put("id", id));
                JsonArray events = kept.getJsonArray("events", new JsonArray());
                for (Object event : events) {
                    JsonObject e = (JsonObject) event;
                    ahead.putIfAbsent(e.getLong("seq"), e);
                }
                long oldestKept = events.isEmpty() ? printed + 1 : events.getJsonObject(0).getLong("seq");
                if (oldestKept > printed + 1) {
                    // the agent keeps only the newest events of a migration: those before are gone for good
                    System.err.printf("bus-client: events %d to %d of %s are no longer kept%n", printed + 1,
                            oldestKept - 1, id);
                    printed = oldestKept - 1;
                }
                catchUp = false;
                JsonObject record = kept.getJsonObject("migration");
                // ended, and nothing relayed that was not printed: the last event may be on its way (the record is
                // written before it is published), so only a second catch-up that finds no more concludes
                endedChecks = !"IN_PROGRESS".equals(record.getString("outcome")) && printed >= kept.getLong("seq", 0L)
                        ? endedChecks + 1 : 0;
                if (endedChecks >= 2) {
                    ended = record; // no event left to come (its source restarted and lost them): the record tells
                }
            }
            if (ended != null && ahead.isEmpty()) {
                out.println(json ? new JsonObject().put("v", BusApi.VERSION).put("migration", ended).encode()
                        : "(no events left to relay: the record says " + ended.getString("outcome") + ")");
                return new JsonObject().put("migration", ended);
            }
            JsonObject next;
            while ((next = live.poll()) != null) {
                ahead.putIfAbsent(next.getLong("seq"), next);
            }
            while (!ahead.isEmpty() && ahead.firstKey() <= printed + 1) {
                JsonObject event = ahead.pollFirstEntry().getValue();
                if (event.getLong("seq") <= printed) {
                    continue;
                }
                printed = event.getLong("seq");
                print(event, started);
                if (!"IN_PROGRESS".equals(event.getJsonObject("event").getString("outcome"))) {
                    return event;
                }
            }
            if (!ahead.isEmpty()) {
                catchUp = true; // a gap: an event published before this subscription reached its publisher
                continue;
            }
            next = live.poll(RECHECK.toMillis(), TimeUnit.MILLISECONDS);
            if (next == null) {
                catchUp = true;
            } else {
                ahead.putIfAbsent(next.getLong("seq"), next);
            }
        }
        return null;
    }

    private void print(JsonObject message, Instant started) {
        if (json) {
            out.println(message.encode());
            return;
        }
        JsonObject event = message.getJsonObject("event");
        double seconds = Duration.between(started, Instant.parse(event.getString("at"))).toMillis() / 1000.0;
        StringBuilder line = new StringBuilder(String.format("%+8.2fs  %-10s %s", seconds, event.getString("phase"),
                event.getString("message")));
        long done = event.getLong("done", -1L);
        long total = event.getLong("total", -1L);
        if (done >= 0) {
            line.append(String.format("  %d/%d MiB at %.0f MiB/s", done >> 20, total >> 20,
                    event.getDouble("bytesPerSecond", 0.0) / (1 << 20)));
            if (event.getString("eta") != null) {
                line.append(", ETA ").append(Duration.parse(event.getString("eta")).toMillis() / 1000.0).append(" s");
            }
        }
        if (!"IN_PROGRESS".equals(event.getString("outcome"))) {
            line.append("  -> ").append(event.getString("outcome"));
        }
        out.println(line);
    }

    private void summary(JsonObject record) {
        JsonObject statistics = record.getJsonObject("statistics");
        out.printf("%nmigration %s: %s%n", record.getString("id"), record.getString("outcome"));
        out.printf("frozen        %.3f s%n", Duration.parse(statistics.getString("frozen")).toNanos() / 1e9);
        out.printf("on the wire   %.1f MiB in %d pre-copy round(s)%n", statistics.getLong("bytesOnWire") / 1048576.0,
                statistics.getJsonArray("rounds").size());
        out.printf("new root pid  %d on %s%n", statistics.getLong("newRootPid"), record.getString("destination"));
        JsonObject error = record.getJsonObject("error");
        if (error != null) {
            out.printf("error         [%s] in %s: %s%n", error.getString("code"), error.getString("phase"),
                    error.getString("message"));
        }
    }

    private static String container(JsonObject record) {
        JsonObject container = record.getJsonObject("container");
        return container.getString("backend") + ":" + container.getString("id");
    }

    private int cancel(String id) throws Exception {
        try {
            JsonObject reply = request(BusApi.CANCEL, new JsonObject().put("v", BusApi.VERSION).put("id", id));
            out.println(json ? reply.encode() : "cancel of migration " + id + " asked for; it rolls back");
            return 0;
        } catch (ReplyException refused) {
            printFailure(refused);
            return 3;
        }
    }

    /** Every migration's events, as they come, until the process is stopped (or the timeout). */
    private int events() throws Exception {
        LinkedBlockingQueue<JsonObject> live = new LinkedBlockingQueue<>();
        bus.subscribe(BusApi.EVENTS, live::add).toCompletionStage().toCompletableFuture()
                .get(requestMillis, TimeUnit.MILLISECONDS);
        out.println("subscribed to " + BusApi.EVENTS);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonObject event = live.poll(RECHECK.toMillis(), TimeUnit.MILLISECONDS);
            if (event != null) {
                out.println(event.encode());
            }
        }
        return 0;
    }

    /** Raw bodies (text, sent as a String) to addresses, each answer on a line of its own. */
    private int send(List<String> pairs) throws Exception {
        if (pairs.isEmpty() || pairs.size() % 2 != 0) {
            System.err.println(USAGE);
            return 64;
        }
        for (int i = 0; i < pairs.size(); i += 2) {
            try {
                out.println("ok " + request(pairs.get(i), pairs.get(i + 1)).encode());
            } catch (ReplyException failed) {
                printFailure(failed);
            }
        }
        return 0;
    }

    private void printFailure(ReplyException failure) {
        out.println("failed " + failure.failureCode() + " " + failure.getMessage());
    }
}
