package io.haul.api.backend;

import java.util.List;
import java.util.Map;

/**
 * What the CRIU driver needs from a backend to restore a container on the destination.
 *
 * @param externals    CRIU {@code --external} / {@code --inherit-fd} style mappings for this host
 * @param namespaceFiles namespace files ({@code /run/netns/x}) the restored tree must join, by kind
 * @param root         the root filesystem to restore into, or empty for the host's
 * @param facts        what the backend needs again after restore (for {@link ContainerBackend#restored})
 */
public record RestorePlan(List<String> externals, Map<String, String> namespaceFiles, String root,
        Map<String, String> facts) {

    public RestorePlan {
        externals = List.copyOf(externals);
        namespaceFiles = Map.copyOf(namespaceFiles);
        facts = Map.copyOf(facts);
        root = root == null ? "" : root;
    }
}
