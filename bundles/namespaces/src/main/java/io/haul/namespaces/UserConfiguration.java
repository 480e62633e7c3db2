package io.haul.namespaces;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** What this host can give containers in user namespaces of their own (configuration PID {@value #PID}). */
@ObjectClassDefinition(id = UserConfiguration.PID, name = "Haul user namespaces")
@interface UserConfiguration {

    String PID = "haul.namespace.user";

    @AttributeDefinition(description = "The file that sets aside this host's subordinate uids for root's containers"
            + " (lines USER:FIRST:COUNT, root's or 0's counted): a container arriving with an unprivileged map must"
            + " find the host uids it maps to there")
    String subuidFile() default "/etc/subuid";

    @AttributeDefinition(description = "The same for gids")
    String subgidFile() default "/etc/subgid";

    @AttributeDefinition(description = "How many user namespaces this host allows, when it should count as fewer"
            + " than the kernel's user.max_user_namespaces (an agent kept from taking containers in user namespaces:"
            + " 0); -1 for the kernel's own limit")
    int maxUserNamespaces() default -1;
}
