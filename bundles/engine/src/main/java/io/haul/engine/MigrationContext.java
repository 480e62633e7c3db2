package io.haul.engine;

import io.haul.cluster.MigrationStore;
import io.haul.criu.Criu;
import io.haul.host.HostProbe;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** What every migration of this agent uses, on either side. */
record MigrationContext(String agentName, Plugins plugins, Criu criu, HostProbe host, MigrationStore store,
        Path migrationsDir, Duration stepTimeout, Duration restoreTimeout, Clock clock) {
}
