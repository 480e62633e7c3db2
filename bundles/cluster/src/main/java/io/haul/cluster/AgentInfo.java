package io.haul.cluster;

import java.time.Instant;
import java.util.Map;

/**
 * An agent as the registry knows it.
 *
 * @param name         its unique name
 * @param address      where its migration transport listens, {@code host:port}
 * @param capabilities what it offers (CRIU version, backends, strategies, kernel features), as strings
 * @param seen         when it last published itself
 */
public record AgentInfo(String name, String address, Map<String, String> capabilities, Instant seen) {

    public AgentInfo {
        capabilities = Map.copyOf(capabilities);
    }
}
