/** The generated messages of haul.proto, version 1 of the protocol. */
@Export
@Version("1.0.0")
package io.haul.protocol.v1;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
