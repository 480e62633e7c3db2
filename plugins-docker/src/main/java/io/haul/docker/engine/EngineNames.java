package io.haul.docker.engine;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Checks the names and ids that go into the Docker Engine API's paths and queries, so that no value can
 * change which resource a request addresses ({@code ../}, {@code /}, {@code ?}, {@code %}...), and encodes
 * them. A refused value is an {@link IllegalArgumentException} that quotes it and says what is allowed.
 */
final class EngineNames {

    /**
     * Docker's own rule for container, volume and checkpoint names (a checkpoint's becomes a folder name):
     * at least two characters. The engine answers 500, not 400, to a checkpoint id it refuses.
     */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
    private static final String NAME_RULE = "two or more letters, digits, '_', '.' and '-', starting with a letter or digit";

    /** A container's name or id, or the start of its id: one character may do. */
    private static final Pattern CONTAINER = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final String CONTAINER_RULE = "letters, digits, '_', '.' and '-', starting with a letter or digit";

    /** One '/'-separated part of an image reference: {@code registry:5000}, {@code name:tag}, {@code name@sha256:...}. */
    private static final Pattern IMAGE_PART = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.:@+-]*");

    private static final int MAX_LENGTH = 255;

    private EngineNames() {
    }

    /**
     * A container's id (full or prefix) or name, as a path segment. Docker's canonical form of a name,
     * with one leading '/' as inspect reports it ({@code /web}), is accepted and means the same name.
     */
    static String container(String idOrName) {
        String plain = idOrName != null && idOrName.startsWith("/") ? idOrName.substring(1) : idOrName;
        return segment(checked("container name or id", idOrName, plain, CONTAINER, CONTAINER_RULE));
    }

    /** A name for a container to create, as a query value. */
    static String newContainerName(String name) {
        return query(checked("container name", name, name, NAME, NAME_RULE));
    }

    /** A volume's name, as a path segment. */
    static String volume(String name) {
        return segment(checked("volume name", name, name, NAME, NAME_RULE));
    }

    /** A network's name, as a path segment. */
    static String network(String name) {
        return segment(checked("network name", name, name, NAME, NAME_RULE));
    }

    /** A name for a volume to create, as it goes into a JSON body. */
    static String newVolumeName(String name) {
        return checked("volume name", name, name, NAME, NAME_RULE);
    }

    /** A checkpoint's id; it becomes a folder name, so the same rule as names. */
    static String checkpointId(String id) {
        return checked("checkpoint id", id, id, NAME, NAME_RULE);
    }

    /** A folder for checkpoints: an absolute, normal path (no '.' or '..' parts). */
    static String checkpointDir(String dir) {
        if (dir == null || dir.isEmpty() || dir.length() > 4096 || !dir.startsWith("/") || hasControl(dir)
                || !Path.of(dir).normalize().toString().equals(dir)) {
            throw new IllegalArgumentException("not a checkpoint folder: " + quoted(dir)
                    + " (an absolute path without '.' or '..' parts)");
        }
        return dir;
    }

    /**
     * An image reference ({@code haul-test:1}, {@code registry:5000/team/app:2}, an image id), as path
     * segments joined by '/': the engine's image routes take a reference with slashes.
     */
    static String image(String ref) {
        String rule = "'/'-separated parts of letters, digits, '_', '.', ':', '@', '+' and '-', each starting with a letter or digit";
        if (ref == null || ref.isEmpty() || ref.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("not an image reference: " + quoted(ref) + " (" + rule + ")");
        }
        StringBuilder path = new StringBuilder();
        for (String part : ref.split("/", -1)) {
            if (!IMAGE_PART.matcher(part).matches()) {
                throw new IllegalArgumentException("not an image reference: " + quoted(ref) + " (" + rule + ")");
            }
            if (!path.isEmpty()) {
                path.append('/');
            }
            path.append(segment(part));
        }
        return path.toString();
    }

    /** A value for a query parameter, form-encoded. */
    static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String checked(String what, String original, String value, Pattern pattern, String rule) {
        if (value == null || value.length() > MAX_LENGTH || !pattern.matcher(value).matches()) {
            throw new IllegalArgumentException("not a " + what + ": " + quoted(original) + " (" + rule + ")");
        }
        return value;
    }

    /** Percent-encodes all but RFC 3986 unreserved characters and ':' '@' (a no-op for checked values). */
    private static String segment(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == ':' || c == '@') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static boolean hasControl(String value) {
        return value.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
    }

    private static String quoted(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        value.codePoints().limit(80).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append(value.codePointCount(0, value.length()) > 80 ? "...\"" : "\"").toString();
    }
}
