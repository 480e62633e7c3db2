/** The state agents share through the cluster: the agent registry, migration records, container locks, progress. */
@Export
@Version("1.2.0")
package io.haul.cluster;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
