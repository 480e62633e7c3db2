/** Namespace handlers, one per kind, and the namespace tree of a container they are given. */
@Export
@Version("2.3.0")
package io.haul.api.namespace;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
