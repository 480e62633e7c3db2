/** Files and folders the way every bundle of Haul handles its scratch: removed whole, never across a mount. */
@Export
@Version("1.0.0")
package io.haul.host.files;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
