package io.haul.namespaces;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** How containers' networks land on this host (configuration PID {@value #PID}). */
@ObjectClassDefinition(id = NetworkConfiguration.PID, name = "Haul network namespaces")
@interface NetworkConfiguration {

    String PID = "haul.namespace.net";

    @AttributeDefinition(description = "Bridges of this host that stand for a source's bridge of another name, as "
            + "SOURCE=HERE (e.g. br0=br-lan); a source bridge not named here lands on this host's bridge of the "
            + "same name")
    String[] bridges() default {};
}
