/**
 * Running a host's tools ({@code ip}, {@code arping}, {@code criu check}...) to completion or to a deadline,
 * never longer, their output kept without a pipe that could block ({@link io.haul.host.exec.BoundedCommand}).
 */
@Export
@Version("1.0.0")
package io.haul.host.exec;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
