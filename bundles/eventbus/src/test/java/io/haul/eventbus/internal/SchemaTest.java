package io.haul.eventbus.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.ContainerRef;
import io.haul.api.migration.MigrationError;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.MigrationStatistics;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.Phase;
import io.haul.api.migration.ProgressEvent;
import io.haul.api.strategy.RoundStats;
import io.haul.cluster.AgentInfo;
import io.haul.eventbus.BusApi;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JSON Schemas this bundle ships (schema/v1/) describe the messages the agents really make and the examples the
 * README gives: every request address has a request and a reply schema, and each is checked against real JSON.
 */
class SchemaTest {

    private static final String BASE = "https://haul.invalid/schema/v1/";
    private static SchemaRepository schemas;

    @BeforeAll
    static void load() throws IOException {
        schemas = SchemaRepository.create(new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri(BASE));
        List<String> files = new ArrayList<>(List.of("defs.json", "failure.json", "haul.migration.events.json"));
        for (String address : BusApi.REQUESTS) {
            files.add(address + ".request.json");
            files.add(address + ".reply.json");
        }
        for (String file : files) {
            try (InputStream in = SchemaTest.class.getResourceAsStream("/schema/v1/" + file)) {
                assertNotNull(in, "the bundle ships schema/v1/" + file);
                JsonObject schema = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                schemas.dereference(BASE + file, JsonSchema.of(schema));
            }
        }
    }

    private static void valid(String file, JsonObject message) {
        OutputUnit result = schemas.validator(BASE + file).validate(message);
        assertTrue(result.getValid(), file + " does not accept " + message.encode() + ": " + result.getErrors());
    }

    private static void invalid(String file, JsonObject message) {
        assertFalse(schemas.validator(BASE + file).validate(message).getValid(), file + " accepts " + message.encode());
    }

    static MigrationRecord record(Outcome outcome) {
        Instant t0 = Instant.parse("2026-12-03T10:15:30.123456789Z");
        MigrationStatistics statistics = new MigrationStatistics(Map.of(Phase.PRECOPY, Duration.ofMillis(4300)),
                Duration.ofMillis(696), 68_088_698, 68_157_440, List.of(new RoundStats(1, 16604, 16604, 16582, 67_911_000,
                        Duration.ofMillis(4289), 3871.2, Duration.ofMillis(4308))), 11472);
        return new MigrationRecord("7f185cf3-0ac5-494a-a7c8-81b80f310309", new ContainerRef("process", "10940"), "hostA",
                "hostB", Phase.CLEANUP, outcome, t0, t0.plusSeconds(9), statistics,
                outcome == Outcome.ROLLED_BACK ? new MigrationError(Phase.RESTORE, "criu.restore-failed", "CRIU failed", "") : null,
                List.of(new MigrationRecord.PhaseChange(Phase.HANDSHAKE, t0), new MigrationRecord.PhaseChange(Phase.CLEANUP, t0)));
    }

    @Test
    void theRequestsTheReadmeShowsAreValidAndBrokenOnesAreNot() {
        valid("haul.migration.start.request.json", new JsonObject("""
                {"v":1,"source":"hostA","container":"process:4242","destination":"hostB","strategy":"vmread",
                 "policy":{"downtimeMillis":300,"maxRounds":10}}"""));
        valid("haul.migration.get.request.json", new JsonObject("{\"v\":1,\"id\":\"7f185cf3\"}"));
        valid("haul.migration.list.request.json", new JsonObject(
                "{\"v\":1,\"agent\":\"hostA\",\"outcome\":\"SUCCEEDED\",\"since\":\"2026-12-01T00:00:00Z\",\"limit\":20}"));
        valid("haul.migration.cancel.request.json", new JsonObject("{\"v\":1,\"id\":\"7f185cf3\"}"));
        valid("haul.migration.catchup.request.json", new JsonObject("{\"v\":1,\"id\":\"7f185cf3\"}"));
        valid("haul.agent.list.request.json", new JsonObject("{\"v\":1}"));
        valid("haul.agent.containers.request.json", new JsonObject("{\"v\":1,\"agent\":\"hostA\",\"backend\":\"process\"}"));
        valid("haul.agent.check.request.json", new JsonObject("{\"v\":1,\"agent\":\"hostB\"}"));

        invalid("haul.migration.start.request.json", new JsonObject("{\"v\":1,\"source\":\"hostA\",\"container\":\"4242\",\"destination\":\"hostB\"}"));
        invalid("haul.migration.get.request.json", new JsonObject("{\"v\":2,\"id\":\"x\"}"));
        invalid("haul.migration.list.request.json", new JsonObject("{\"v\":1,\"outcome\":\"MAYBE\"}"));
        invalid("haul.agent.check.request.json", new JsonObject("{\"v\":1}"));
    }

    @Test
    void theRepliesAndEventsTheAgentsMakeAreValid() {
        MigrationRecord record = record(Outcome.SUCCEEDED);
        valid("haul.migration.start.reply.json", Requests.reply("migration", record(Outcome.IN_PROGRESS)));
        valid("haul.migration.get.reply.json", Requests.reply("migration", record(Outcome.ROLLED_BACK)));
        valid("haul.migration.cancel.reply.json", Requests.reply("migration", record));
        valid("haul.migration.list.reply.json", Requests.reply("migrations", List.of(record, record(Outcome.ROLLED_BACK))));
        valid("haul.agent.list.reply.json", Requests.reply("agents", List.of(new AgentInfo("hostA", "169.254.77.1:7077",
                Map.of("transport", "tls"), Instant.now()))));

        ProgressEvent event = new ProgressEvent(record.id(), Phase.TRANSFER, "sending images", 16 << 20, 64 << 20, 1.2e9,
                ProgressEvent.eta(16 << 20, 64 << 20, 1.2e9), Outcome.IN_PROGRESS, Instant.now());
        EventLog log = new EventLog(16);
        JsonObject relayed = log.append(record.id(), seq -> new JsonObject().put("v", BusApi.VERSION).put("seq", seq)
                .put("event", Requests.json(event)).put("migration", Requests.json(record)));
        valid("haul.migration.events.json", relayed);
        JsonObject catchUp = log.catchUp(record.id()).put("v", BusApi.VERSION).put("migration", Requests.json(record));
        valid("haul.migration.catchup.reply.json", catchUp);
        valid("haul.agent.containers.reply.json", new JsonObject().put("v", 1).put("agent", "hostA")
                .put("containers", new JsonArray()).put("problems", new JsonArray().add("docker: not usable here")));
        JsonObject noId = Requests.reply("migration", record);
        noId.getJsonObject("migration").remove("id");
        invalid("haul.migration.get.reply.json", noId);
        JsonObject badPhase = relayed.copy();
        badPhase.getJsonObject("event").put("phase", "TELEPORT");
        invalid("haul.migration.events.json", badPhase);
        valid("failure.json", new JsonObject().put("failureCode", 404).put("message",
                new BusFailure(BusApi.FAILURE_NOT_FOUND, "migration.not-found", "no migration 42").text()));
    }
}
