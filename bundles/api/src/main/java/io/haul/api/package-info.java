/** Values every Haul SPI shares: references to containers, usability, errors. */
@Export
@Version("1.1.0")
package io.haul.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
