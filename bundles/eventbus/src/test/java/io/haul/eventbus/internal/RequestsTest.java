package io.haul.eventbus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.migration.Outcome;
import io.haul.eventbus.BusApi;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** What a request's body may be, and the failure each other one gets. */
class RequestsTest {

    private static final int MAX = 1024;

    @Test
    void aJsonObjectOrItsTextInAStringOrBufferReads() throws Exception {
        JsonObject body = new JsonObject().put("v", 1).put("id", "abc");
        assertEquals(body, Requests.read(body, MAX));
        assertEquals(body, Requests.read(body.encode(), MAX));
        assertEquals(body, Requests.read(Buffer.buffer(body.encode()), MAX));
    }

    @Test
    void whatIsNotAJsonObjectIsMalformedOrInvalid() {
        for (Object bad : new Object[] {"{\"v\":1,", "[1,2]", "42", "", Buffer.buffer(new byte[] {(byte) 0xff, 0})}) {
            BusFailure failure = assertThrows(BusFailure.class, () -> Requests.read(bad, MAX), String.valueOf(bad));
            assertEquals(BusApi.FAILURE_INVALID, failure.failureCode);
            assertEquals("request.malformed", failure.code);
            assertTrue(failure.text().lines().count() == 1, "one line: " + failure.text());
        }
        for (Object bad : new Object[] {null, 42, new int[0]}) {
            BusFailure failure = assertThrows(BusFailure.class, () -> Requests.read(bad, MAX));
            assertEquals("request.invalid", failure.code);
        }
    }

    @Test
    void anOversizedBodyIsRefusedBeforeItIsParsed() {
        String big = "{\"v\":1,\"id\":\"" + "x".repeat(MAX) + "\"}";
        for (Object body : new Object[] {big, Buffer.buffer(big), new JsonObject(big)}) {
            BusFailure failure = assertThrows(BusFailure.class, () -> Requests.read(body, MAX));
            assertEquals(BusApi.FAILURE_TOO_LARGE, failure.failureCode);
            assertEquals("request.too-large", failure.code);
        }
        assertThrows(BusFailure.class, () -> Requests.read("{" + " ".repeat(2 * MAX) + "nonsense", MAX),
                "not even read when too large");
    }

    @Test
    void aVersionThisAgentDoesNotSpeakIsRefusedNamingTheOnesItDoes() {
        for (String body : new String[] {"{}", "{\"v\":2}", "{\"v\":\"1\"}", "{\"v\":1.5}", "{\"v\":null}"}) {
            BusFailure failure = assertThrows(BusFailure.class, () -> Requests.read(body, MAX), body);
            assertEquals(BusApi.FAILURE_VERSION, failure.failureCode, body);
            assertTrue(failure.text().startsWith("request.version: this agent speaks version(s) [1]"), failure.text());
        }
    }

    @Test
    void fieldsOfTheWrongTypeOrUnknownValuesAreInvalid() throws Exception {
        JsonObject body = new JsonObject().put("v", 1).put("id", 7).put("outcome", "MAYBE").put("limit", "ten")
                .put("since", "yesterday").put("options", new JsonObject().put("k", 1));
        assertEquals("request.invalid", assertThrows(BusFailure.class, () -> Requests.string(body, "id", true)).code);
        assertEquals("request.invalid", assertThrows(BusFailure.class, () -> Requests.string(body, "missing", true)).code);
        assertEquals(null, Requests.string(body, "missing", false));
        assertTrue(assertThrows(BusFailure.class, () -> Requests.constant(body, "outcome", Outcome.class)).getMessage()
                .contains("[IN_PROGRESS, SUCCEEDED, ROLLED_BACK, CANCELLED, FAILED]"));
        assertEquals("request.invalid", assertThrows(BusFailure.class, () -> Requests.number(body, "limit", 1)).code);
        assertEquals("request.invalid", assertThrows(BusFailure.class, () -> Requests.instant(body, "since")).code);
        assertEquals("request.invalid", assertThrows(BusFailure.class, () -> Requests.strings(body, "options")).code);
        assertEquals(Outcome.CANCELLED, Requests.constant(new JsonObject().put("o", "CANCELLED"), "o", Outcome.class));
    }
}
