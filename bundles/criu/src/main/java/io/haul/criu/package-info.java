/** Drives CRIU through its RPC: dumps held frozen until the commit point, restores left stopped until it. */
@Export
@Version("2.0.0")
package io.haul.criu;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
