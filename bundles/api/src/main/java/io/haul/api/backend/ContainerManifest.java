package io.haul.api.backend;

import java.util.Map;

/**
 * What the destination's backend needs to know of a container to take it (its name, image, configuration...),
 * as strings, because it travels in the protocol's handshake.
 *
 * @param backend the backend's name, the same on both agents
 * @param id      the container's id as the source's backend names it
 * @param facts   backend-specific facts
 */
public record ContainerManifest(String backend, String id, Map<String, String> facts) {

    public ContainerManifest {
        facts = Map.copyOf(facts);
    }
}
