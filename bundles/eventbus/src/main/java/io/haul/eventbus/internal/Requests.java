package io.haul.eventbus.internal;

import io.haul.eventbus.BusApi;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a request's body: a JSON object (sent as a JsonObject, or as its text in a String or Buffer) of at most the
 * configured size, in a version this agent speaks, with fields of the types the schema gives. Anything else is a
 * {@link BusFailure} the sender gets as its reply; nothing here throws anything else.
 */
final class Requests {

    private Requests() {
    }

    /** The body as a JSON object in a version spoken here. */
    static JsonObject read(Object body, int maxBytes) throws BusFailure {
        JsonObject json;
        try {
            switch (body) {
                case JsonObject object -> {
                    json = object;
                    checkSize(json.toBuffer().length(), maxBytes);
                }
                case String text -> {
                    checkSize(text.getBytes(StandardCharsets.UTF_8).length, maxBytes);
                    json = new JsonObject(text);
                }
                case Buffer buffer -> {
                    checkSize(buffer.length(), maxBytes);
                    json = new JsonObject(buffer);
                }
                case null -> throw BusFailure.invalid("the request has no body: send a JSON object with \"v\": "
                        + BusApi.VERSION);
                default -> throw BusFailure.invalid("the request's body is a " + body.getClass().getSimpleName()
                        + ", not a JSON object");
            }
        } catch (DecodeException | ClassCastException e) {
            throw new BusFailure(BusApi.FAILURE_INVALID, "request.malformed", "the body is not a JSON object: "
                    + abbreviate(e.getMessage()));
        }
        Object version = json.getValue("v");
        if (!(version instanceof Integer v) || !BusApi.VERSIONS.contains(v)) {
            throw new BusFailure(BusApi.FAILURE_VERSION, "request.version", "this agent speaks version(s) "
                    + BusApi.VERSIONS + " of the event-bus API; the request says \"v\": " + version);
        }
        return json;
    }

    private static void checkSize(int bytes, int maxBytes) throws BusFailure {
        if (bytes > maxBytes) {
            throw new BusFailure(BusApi.FAILURE_TOO_LARGE, "request.too-large", "the request has " + bytes
                    + " bytes; an agent takes at most " + maxBytes);
        }
    }

    /** A string field; null when absent and not required. */
    static String string(JsonObject json, String field, boolean required) throws BusFailure {
        Object value = json.getValue(field);
        if (value == null) {
            if (required) {
                throw BusFailure.invalid("the request needs \"" + field + "\"");
            }
            return null;
        }
        if (!(value instanceof String text) || text.isBlank() || text.length() > 512) {
            throw BusFailure.invalid("\"" + field + "\" must be a string of 1 to 512 characters, was " + abbreviate(
                    String.valueOf(value)));
        }
        return text;
    }

    /** A number field, or {@code otherwise} when absent. */
    static Number number(JsonObject json, String field, Number otherwise) throws BusFailure {
        Object value = json.getValue(field);
        if (value == null) {
            return otherwise;
        }
        if (!(value instanceof Number number)) {
            throw BusFailure.invalid("\"" + field + "\" must be a number, was " + abbreviate(String.valueOf(value)));
        }
        return number;
    }

    /** An object field, or an empty one when absent. */
    static JsonObject object(JsonObject json, String field) throws BusFailure {
        Object value = json.getValue(field);
        if (value == null) {
            return new JsonObject();
        }
        if (!(value instanceof JsonObject object)) {
            throw BusFailure.invalid("\"" + field + "\" must be an object, was " + abbreviate(String.valueOf(value)));
        }
        return object;
    }

    /** An object of strings, as a map. */
    static Map<String, String> strings(JsonObject json, String field) throws BusFailure {
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : object(json, field)) {
            if (!(entry.getValue() instanceof String text)) {
                throw BusFailure.invalid("\"" + field + "\"." + entry.getKey() + " must be a string");
            }
            map.put(entry.getKey(), text);
        }
        return map;
    }

    /** An ISO-8601 instant field, or null when absent. */
    static Instant instant(JsonObject json, String field) throws BusFailure {
        String text = string(json, field, false);
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw BusFailure.invalid("\"" + field + "\" must be an ISO-8601 instant (2026-12-03T10:15:30Z), was " + text);
        }
    }

    /** An enum constant by name, or null when absent; a name it does not have is a failure listing those it has. */
    static <E extends Enum<E>> E constant(JsonObject json, String field, Class<E> type) throws BusFailure {
        String text = string(json, field, false);
        if (text == null) {
            return null;
        }
        try {
            return Enum.valueOf(type, text);
        } catch (IllegalArgumentException e) {
            throw BusFailure.invalid("\"" + field + "\" must be one of " + java.util.Arrays.toString(type.getEnumConstants())
                    + ", was " + text);
        }
    }

    /** A reply or event of this version: the JSON of a Haul record or DTO under {@code field}. */
    static JsonObject reply(String field, Object value) {
        return new JsonObject().put("v", BusApi.VERSION).put(field, json(value));
    }

    /** A Haul record or DTO as Vert.x JSON, through the one JSON mapping (io.haul.json.HaulJson). */
    static Object json(Object value) {
        if (value == null) {
            return null;
        }
        String text = io.haul.json.HaulJson.write(value);
        return text.startsWith("[") ? new JsonArray(text) : new JsonObject(text);
    }

    /** A text for a failure message: its first line, at most 160 characters (a decoder's message spans lines). */
    static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        String line = text.lines().findFirst().orElse("").strip();
        return line.length() <= 160 ? line : line.substring(0, 160) + "...";
    }
}
