package io.haul.shell;

import io.haul.cluster.AgentInfo;
import java.util.List;

/** What {@code haul:agents} returns: the agents of the cluster now, and which one is this. */
public record AgentList(String local, List<AgentInfo> agents) {

    public AgentList {
        agents = List.copyOf(agents);
    }
}
