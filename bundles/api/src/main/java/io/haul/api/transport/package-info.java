/** Transports: authenticated channels between two agents, with framed control messages and a bulk stream. */
@Export
@Version("1.0.0")
package io.haul.api.transport;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
