package io.haul.cluster;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** The agents of the cluster; an agent leaving the cluster leaves the registry. */
@ProviderType
public interface AgentRegistry {

    /** Publishes (or refreshes) this agent's entry. */
    void publish(AgentInfo self);

    /** Every live agent, by name. */
    List<AgentInfo> list();

    /** The agent with this name, or whose address ({@code host:port} or just host) this is. */
    Optional<AgentInfo> resolve(String nameOrAddress);
}
