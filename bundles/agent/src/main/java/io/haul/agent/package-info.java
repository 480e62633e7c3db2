/** The agent's own settings, for the bundles that serve users (shell, control socket, engine). */
@Export
@Version("1.0.0")
package io.haul.agent;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
