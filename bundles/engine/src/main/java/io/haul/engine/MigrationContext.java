package io.haul.engine;

import io.haul.api.plugin.PluginDirectory;
import io.haul.cluster.MigrationStore;
import io.haul.criu.Criu;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** What every migration of this agent uses, on either side. */
record MigrationContext(String agentName, PluginDirectory plugins, Criu criu, LocalCapabilities capabilities,
        MigrationStore store, Path migrationsDir, Duration stepTimeout, Duration restoreTimeout, long pageStoreBudget,
        boolean lazyRestore, boolean capturePageImages, boolean preparePageImages, Clock clock, FaultPoints faults) {
}
