package io.haul.cluster.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.haul.api.migration.MigrationRecord;
import io.haul.json.HaulJson;
import java.nio.charset.StandardCharsets;

/**
 * A migration record as the cluster map and each agent's disk hold it: the record's JSON text, its version
 * number, and the signature of the agent that wrote it.
 *
 * <p>The stored form is a JSON object {@code {"format":1,"seq":N,"record":"<record JSON>","signer":"<base64 DER
 * certificate>","signature":"<base64>"}}. The record stays a string inside it so that what was signed is these
 * very bytes, not a JSON tree that another JVM could print with its maps in another order. {@code format} is the
 * envelope's version: a reader refuses one it does not know rather than guess. A value that is not such an
 * object (a bare record, as agents before the envelope wrote them) reads as unsigned, version 0.
 *
 * @param seq        how many writes of this migration's record came before (0 for the first): a write of seq N
 *                   follows the one of N-1, so the newest of several copies is the one with the highest
 * @param recordJson the record, as {@link HaulJson} wrote it
 * @param signer     base64 of the writer's certificate (DER), empty when unsigned
 * @param signature  base64 of its key's signature over {@link #signedText}, empty when unsigned
 */
record SignedRecord(long seq, String recordJson, String signer, String signature) {

    /** The envelope's format; a reader knows every format up to this one. */
    static final int FORMAT = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The record inside; throws when its JSON does not read as one. */
    MigrationRecord record() {
        return HaulJson.read(recordJson, MigrationRecord.class);
    }

    boolean signed() {
        return !signer.isEmpty() && !signature.isEmpty();
    }

    /** The bytes the signature covers: a fixed prefix, the version number and the record's text. */
    byte[] signedText() {
        return ("haul-record-" + FORMAT + "\n" + seq + "\n" + recordJson).getBytes(StandardCharsets.UTF_8);
    }

    /** The stored form. */
    String encode() {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("format", FORMAT);
        node.put("seq", seq);
        node.put("record", recordJson);
        node.put("signer", signer);
        node.put("signature", signature);
        return node.toString();
    }

    /**
     * Reads a stored value: an envelope of a known format, or a bare record (unsigned, version 0).
     *
     * @throws IllegalArgumentException when it is neither
     */
    static SignedRecord decode(String stored) {
        JsonNode node;
        try {
            node = MAPPER.readTree(stored);
        } catch (Exception e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        if (!node.has("format")) {
            return new SignedRecord(0, stored, "", ""); // a bare record of an agent before the envelope
        }
        int format = node.path("format").asInt(-1);
        if (format < 1 || format > FORMAT) {
            throw new IllegalArgumentException("envelope format " + node.get("format") + " is not one this agent "
                    + "reads (1 to " + FORMAT + ")");
        }
        JsonNode record = node.get("record");
        JsonNode seq = node.get("seq");
        if (record == null || !record.isTextual() || seq == null || !seq.canConvertToLong() || seq.asLong() < 0) {
            throw new IllegalArgumentException("envelope without a record text and a version number");
        }
        return new SignedRecord(seq.asLong(), record.asText(), node.path("signer").asText(""),
                node.path("signature").asText(""));
    }
}
