/** Haul's records and DTOs as JSON, one way for every bundle: the cluster's records, the shell's --json, the event bus. */
@Export
@Version("1.0.0")
package io.haul.json;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
