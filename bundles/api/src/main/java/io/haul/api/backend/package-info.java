/** Container backends: what a kind of container (process tree, Docker, LXC...) must tell the engine to move it. */
@Export
@Version("2.3.0")
package io.haul.api.backend;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
