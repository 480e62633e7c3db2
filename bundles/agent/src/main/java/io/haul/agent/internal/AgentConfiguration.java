package io.haul.agent.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The agent's configuration, PID {@code haul.agent}: a {@code haul.agent.cfg} file in the state folder's
 * {@code etc/} (FileInstall picks it up) or any ConfigAdmin client. Other bundles read single
 * attributes of the same PID (the CRIU location, for one), so every attribute is described here.
 */
@ObjectClassDefinition(id = AgentConfiguration.PID, name = "Haul agent",
        description = "Name, state folder, control socket, CRIU location and log level of a Haul agent.")
public @interface AgentConfiguration {

    String PID = "haul.agent";

    @AttributeDefinition(name = "Agent name",
            description = "The agent's name in the cluster, used by 'migrate --to'. Empty: the host name.")
    String name() default "";

    @AttributeDefinition(name = "State folder",
            description = "Where the agent keeps logs, the deploy folder and migration work files. Empty: the "
                    + "folder the agent was started with (./haul agent --state, default /var/lib/haul).")
    String stateDir() default "";

    @AttributeDefinition(name = "Control socket",
            description = "The unix socket ./haul COMMAND connects to; only root may open it. Empty: "
                    + "control.sock in the state folder.")
    String controlSocket() default "";

    @AttributeDefinition(name = "CRIU",
            description = "Path of the criu executable. Empty: Haul's own prefix (/opt/haul/criu), then PATH.")
    String criuPath() default "";

    @AttributeDefinition(name = "Log level", description = "The least severe level written to console and log file.",
            options = {@Option(label = "ERROR", value = "ERROR"), @Option(label = "WARN", value = "WARN"),
                @Option(label = "INFO", value = "INFO"), @Option(label = "DEBUG", value = "DEBUG"),
                @Option(label = "TRACE", value = "TRACE")})
    String logLevel() default "INFO";
}
