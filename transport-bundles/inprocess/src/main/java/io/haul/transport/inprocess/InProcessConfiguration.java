package io.haul.transport.inprocess;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the in-process transport, PID {@code haul.transport.inprocess}. */
@ObjectClassDefinition(id = InProcessConfiguration.PID, name = "Haul in-process transport",
        description = "Connects agents that run in one JVM through in-memory pipes; for tests.")
public @interface InProcessConfiguration {

    String PID = "haul.transport.inprocess";

    @AttributeDefinition(name = "Agent name",
            description = "The name this transport proves to its peers (and that connect() checks). Empty: the host name.")
    String agentName() default "";
}
