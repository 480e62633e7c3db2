/**
 * The {@code inprocess} transport: agents of one JVM connected through in-memory pipes, for tests. Its peers
 * are as authenticated as the JVM they share: each end names itself.
 */
@Export
@Version("1.0.0")
package io.haul.transport.inprocess;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
