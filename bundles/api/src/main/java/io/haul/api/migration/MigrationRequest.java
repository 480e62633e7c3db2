package io.haul.api.migration;

import io.haul.api.ContainerRef;
import java.util.Map;

/**
 * What a user asks for.
 *
 * @param container   what to move
 * @param destination the agent to move it to, by name or address
 * @param strategy    the pre-dump strategy's name, or empty for the configured default
 * @param transport   the transport's name, or empty for the configured default
 * @param policy      when to stop pre-copy
 * @param options     backend-specific options (e.g. transfer a missing image)
 */
public record MigrationRequest(ContainerRef container, String destination, String strategy, String transport,
        ConvergencePolicy policy, Map<String, String> options) {

    public MigrationRequest {
        if (destination == null || destination.isBlank()) {
            throw new IllegalArgumentException("a migration needs a destination agent");
        }
        strategy = strategy == null ? "" : strategy;
        transport = transport == null ? "" : transport;
        policy = policy == null ? ConvergencePolicy.DEFAULT : policy;
        options = Map.copyOf(options);
    }
}
