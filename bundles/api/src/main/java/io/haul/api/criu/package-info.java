/** What CRIU must be told for a container, as backends' sessions and namespace handlers contribute it. */
@Export
@Version("1.1.0")
package io.haul.api.criu;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
