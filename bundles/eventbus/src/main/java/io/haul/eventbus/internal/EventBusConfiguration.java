package io.haul.eventbus.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The event-bus API's configuration, PID {@code haul.eventbus} ({@code etc/haul.eventbus.cfg}): who may start and
 * cancel migrations, the TCP bridge for services outside the cluster, and the limits on requests.
 */
@ObjectClassDefinition(id = EventBusConfiguration.PID, name = "Haul event-bus API",
        description = "MigrationService and the agents on the cluster's Vert.x event bus, and the TLS TCP bridge to it. "
                + "Every member and bridge client proves itself with a certificate of the cluster CA; any of them may "
                + "watch, only the operators listed here may start and cancel migrations.")
public @interface EventBusConfiguration {

    String PID = "haul.eventbus";

    @AttributeDefinition(name = "Operators", required = false,
            description = "The principals (subject CN of their certificate of the cluster CA) that may start and cancel "
                    + "migrations, comma-separated. Everyone else with such a certificate can only watch. Empty: nobody "
                    + "operates through the event bus.")
    String operators() default "";

    @AttributeDefinition(name = "Bridge port", min = "0", max = "65535",
            description = "TCP port of the event-bus bridge (TLS 1.3, client certificates of the cluster CA) on the "
                    + "address the agent's event bus is bound to. 0: no bridge.")
    int bridgePort() default 7079;

    @AttributeDefinition(name = "Largest request (bytes)", min = "256",
            description = "A request whose body is larger is refused (request.too-large). Haul's requests take a few "
                    + "hundred bytes.")
    int maxRequestBytes() default 65536;

    @AttributeDefinition(name = "Clock skew (seconds)", min = "1",
            description = "How far the time of a signed request may be from this agent's clock; a signature is used "
                    + "once within this window.")
    int maxClockSkewSeconds() default 300;

    @AttributeDefinition(name = "Forwarding timeout (seconds)", min = "1",
            description = "How long at most the agent that received a request waits for the agent it must run on; "
                    + "less when the sender waits less (its haul-wait-millis header, 30 s when absent), so that the "
                    + "sender hears agent.unreachable while it still listens.")
    int forwardTimeoutSeconds() default 60;

    @AttributeDefinition(name = "Events kept per migration", min = "16",
            description = "How many of a migration's events this agent keeps for subscribers that come late (catch-up).")
    int eventsKept() default 4096;
}
