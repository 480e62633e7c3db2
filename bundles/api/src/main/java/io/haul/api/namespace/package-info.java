/** Namespace handlers: one per namespace kind, checking on both sides that a container's namespace can be moved. */
@Export
@Version("1.0.0")
package io.haul.api.namespace;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
