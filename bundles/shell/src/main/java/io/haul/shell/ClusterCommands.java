package io.haul.shell;

import io.haul.cluster.Cluster;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The {@code haul:agents} command: who is in the cluster, where, with what. */
@Component(service = ClusterCommands.class, property = {
    "osgi.command.scope=haul",
    "osgi.command.function=agents"
})
public final class ClusterCommands {

    private final Cluster cluster;

    @Activate
    public ClusterCommands(@Reference Cluster cluster) {
        this.cluster = cluster;
    }

    @Descriptor("the agents of the cluster now: names 'migrate --to' accepts, and their addresses")
    public Object agents(@Descriptor("print JSON for scripts instead of a table") @Parameter(names = {"-j", "--json"},
            presentValue = "true", absentValue = "false") boolean json) {
        AgentList list = new AgentList(cluster.localAgent(), cluster.agents().list());
        return json ? new JsonView(list) : list;
    }
}
