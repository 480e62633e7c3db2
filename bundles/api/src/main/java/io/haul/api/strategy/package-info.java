/** Pre-dump strategies: how memory is copied while the container keeps running. */
@Export
@Version("1.0.0")
package io.haul.api.strategy;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
