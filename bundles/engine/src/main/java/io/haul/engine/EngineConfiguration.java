package io.haul.engine;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** How this agent migrates: PID {@code haul.engine}. */
@ObjectClassDefinition(id = EngineConfiguration.PID, name = "Haul migration engine",
        description = "Where the agent accepts migrations, and the defaults of the migrations it starts.")
public @interface EngineConfiguration {

    String PID = "haul.engine";

    @AttributeDefinition(name = "Listen", description = "host:port where this agent accepts migrations from other agents.")
    String listen() default "0.0.0.0:7077";

    @AttributeDefinition(name = "Advertised address",
            description = "host:port other agents reach this one at. Empty: the listen address, or when that is "
                    + "0.0.0.0, the first non-loopback IPv4 address of this host.")
    String advertise() default "";

    @AttributeDefinition(name = "Transport", description = "The transport migrations use unless a request names one.")
    String transport() default "tls";

    @AttributeDefinition(name = "Pre-dump strategies",
            description = "The strategies migrations use unless a request names one, in order of preference: the "
                    + "first registered and usable here is taken ('none': stop and copy, works everywhere).")
    String strategy() default "vmread,none";

    @AttributeDefinition(name = "Page store memory",
            description = "MiB of pre-copied pages a destination keeps in memory per migration; more spill to disk.")
    long pageStoreMemoryMiB() default 1024;

    @AttributeDefinition(name = "Lazy restore",
            description = "Restore memory lazily where the kernel has userfaultfd: the restored tasks run before all "
                    + "their memory is copied in (CRIU's lazy-pages daemon fills it on each fault and in the "
                    + "background), which takes that copy out of the frozen window. Off: CRIU copies all memory "
                    + "before the tasks can run.")
    boolean lazyRestore() default true;

    @AttributeDefinition(name = "Capture page images",
            description = "On the source, take CRIU's page images through FIFOs as CRIU writes them and turn them "
                    + "into page recipes during the dump, instead of having CRIU write a file of the tree's memory "
                    + "and reading it back (Haul's own dumps; Docker and runc write files).")
    boolean capturePageImages() default true;

    @AttributeDefinition(name = "Prepared page images",
            description = "On the destination, while pre-copy runs, lay out a file the size of the expected page "
                    + "images with its page cache filled, and rebuild the first page image over it in the frozen "
                    + "window: writing there costs a copy, not memory the host must newly back (slow on virtual "
                    + "machines that back memory on first touch). Costs that much page cache during the migration.")
    boolean preparePageImages() default true;

    @AttributeDefinition(name = "Restore timeout", description = "Seconds the source waits for the destination to restore.")
    int restoreTimeoutSeconds() default 120;

    @AttributeDefinition(name = "Step timeout",
            description = "Seconds either side waits for any other answer of its peer, or for a transfer to move, "
                    + "before rolling back.")
    int stepTimeoutSeconds() default 60;

    @AttributeDefinition(name = "Kept migrations",
            description = "Folders of ended migrations (their logs) this agent keeps, the newest first; older ones "
                    + "are removed when a migration ends.")
    int keptMigrations() default 50;

    @AttributeDefinition(name = "Hold at (tests only)",
            description = "For tests that stop a migration at a step on real agents: a fault point such as "
                    + "source:COMMIT (before the commit point) or source:COMMITTED (just after it), source:PHASE at each "
                    + "phase's entry, source:PRECOPY_ROUND_N before the Nth pre-copy round. A migration that "
                    + "reaches it logs 'held at POINT' and waits until the file <state>/migrations/ID/release-hold "
                    + "exists. Empty, the default: never.")
    String testHoldAt() default "";
}
