package io.haul.docker;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The docker backend's configuration, PID {@code haul.docker} ({@code etc/haul.docker.cfg} in the state folder). */
@ObjectClassDefinition(id = DockerConfiguration.PID, name = "Haul docker backend",
        description = "Which Docker engine the docker backend moves containers of, and how long a hold may last.")
public @interface DockerConfiguration {

    String PID = "haul.docker";

    @AttributeDefinition(name = "Engine socket", description = "The Docker Engine API's unix socket on this host.")
    String socket() default "/var/run/docker.sock";

    @AttributeDefinition(name = "Hold limit (s)", description = "Longest a checkpoint or restore waits for the commit"
            + " point before CRIU undoes it by itself (the source then runs on). Longer than a migration's transfer"
            + " and restore take.")
    long holdLimitSeconds() default 900;
}
