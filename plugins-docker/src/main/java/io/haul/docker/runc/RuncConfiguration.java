package io.haul.docker.runc;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The runc backend's configuration, PID {@code haul.runc} ({@code etc/haul.runc.cfg} in the state folder). */
@ObjectClassDefinition(id = RuncConfiguration.PID, name = "Haul runc backend",
        description = "Which runc state folder the runc backend moves containers of.")
public @interface RuncConfiguration {

    String PID = "haul.runc";

    @AttributeDefinition(name = "runc", description = "The runc executable (a name is looked up in PATH).")
    String runc() default "runc";

    @AttributeDefinition(name = "CRIU folder", description = "Put first in runc's PATH: runc runs the 'criu' it finds"
            + " there (Haul's own CRIU by default).")
    String criuDir() default "/opt/haul/criu/bin";

    @AttributeDefinition(name = "State root", description = "runc's --root: the folder its container states live in.")
    String root() default "/run/runc";

    @AttributeDefinition(name = "Bundles", description = "Where the bundles of containers moved to this host are made"
            + " (one folder per container id).")
    String bundles() default "/var/lib/haul/runc-bundles";

    @AttributeDefinition(name = "cgroup parent", description = "When set, containers moved here get the cgroup path"
            + " PARENT/ID instead of their bundle's (needed when both hosts share one cgroup tree, as two test hosts"
            + " on one machine do: the source's frozen cgroup would hold the restored tasks too).")
    String cgroupsParent() default "";

    @AttributeDefinition(name = "Hold limit (s)", description = "Longest a checkpoint or restore waits for the commit"
            + " point before CRIU undoes it by itself (the source then runs on).")
    long holdLimitSeconds() default 900;
}
