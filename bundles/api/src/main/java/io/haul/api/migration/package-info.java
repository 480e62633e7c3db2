/** The migration service users and other bundles call, and the DTOs of a migration. */
@Export
@Version("2.1.0")
package io.haul.api.migration;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
