package io.haul.api;

import java.util.regex.Pattern;

/**
 * Names a container as {@code backend:id}, e.g. {@code process:4242} or {@code docker:web}: the backend
 * that knows the container, and the id that backend understands.
 */
public record ContainerRef(String backend, String id) {

    private static final Pattern BACKEND_NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    public ContainerRef {
        if (backend == null || !BACKEND_NAME.matcher(backend).matches()) {
            throw new IllegalArgumentException("backend name must be lower-case letters, digits or '-', was: " + backend);
        }
        if (id == null || id.isBlank() || id.length() > 256) {
            throw new IllegalArgumentException("container id must be 1 to 256 characters, was: " + id);
        }
    }

    /** Parses {@code backend:id}. */
    public static ContainerRef parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("a container is named backend:id (e.g. process:4242), was: " + text);
        }
        return new ContainerRef(text.substring(0, colon), text.substring(colon + 1));
    }

    @Override
    public String toString() {
        return backend + ":" + id;
    }
}
