/**
 * Files and folders as Haul handles them: its scratch removed whole, never across a mount; a container's own
 * folders sent in rounds ahead of the freeze and applied in order on the other side.
 */
@Export
@Version("1.1.0")
package io.haul.host.files;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
