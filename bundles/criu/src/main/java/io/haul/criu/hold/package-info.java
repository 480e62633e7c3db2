/**
 * The hold for backends whose container runtime runs CRIU itself (Docker, runc, LXC): the runtime's checkpoint
 * is held at post-dump and its restore at post-restore, through CRIU's action script, until the commit point
 * decides; a held step that outlives its agent is undone (a dump) or waits for the restarted agent's verdict (a
 * restore). {@link io.haul.criu.hold.HeldRuntimeStep} runs a runtime's call beside the hold;
 * {@link io.haul.criu.hold.RuntimeCheckpoint} and {@link io.haul.criu.hold.RuntimeRestore} are what a runtime
 * session hands the engine.
 */
@Export
@Version("1.2.0")
package io.haul.criu.hold;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
