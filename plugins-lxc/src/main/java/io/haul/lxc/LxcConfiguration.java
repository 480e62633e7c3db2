package io.haul.lxc;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The lxc backend's configuration, PID {@code haul.lxc} ({@code etc/haul.lxc.cfg} in the state folder). */
@ObjectClassDefinition(id = LxcConfiguration.PID, name = "Haul lxc backend",
        description = "Which LXC containers the lxc backend moves, and where moved ones are made.")
public @interface LxcConfiguration {

    String PID = "haul.lxc";

    @AttributeDefinition(name = "lxcpath", description = "LXC's container folder (lxc-* -P): the containers this agent"
            + " lists and moves, and where containers moved here are made. Two agents on one machine need two.")
    String lxcpath() default "/var/lib/lxc";

    @AttributeDefinition(name = "CRIU folder", description = "Put first in lxc-checkpoint's PATH: LXC runs the 'criu'"
            + " it finds there (Haul's own CRIU by default).")
    String criuDir() default "/opt/haul/criu/bin";

    @AttributeDefinition(name = "Hold limit (s)", description = "Longest a checkpoint or restore waits for the commit"
            + " point before CRIU undoes it by itself (the source then runs on).")
    long holdLimitSeconds() default 900;
}
