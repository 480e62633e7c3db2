/** Framing of the agent-to-agent protocol: frames, version negotiation, image names and image streams. */
@Export
@Version("1.0.0")
package io.haul.protocol;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
