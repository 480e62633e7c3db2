/** What this host has for migrations: where CRIU is and whether it works, and the kernel features Haul uses. */
@Export
@Version("1.1.0")
package io.haul.host;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
