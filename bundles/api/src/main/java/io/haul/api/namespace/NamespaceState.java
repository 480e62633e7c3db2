package io.haul.api.namespace;

import java.util.Map;

/**
 * What a handler found out about one namespace of a container on the source, sent to the destination
 * so its handler can prepare the same: whether the container has its own namespace of this kind or
 * shares the host's, and handler-specific facts (interfaces, mounts...) as strings.
 */
public record NamespaceState(NamespaceKind kind, boolean own, Map<String, String> facts) {

    public NamespaceState {
        facts = Map.copyOf(facts);
    }
}
