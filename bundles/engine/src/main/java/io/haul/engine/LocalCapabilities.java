package io.haul.engine;

import io.haul.api.plugin.PluginDirectory;
import io.haul.api.plugin.PluginKind;
import io.haul.host.HostProbe;
import io.haul.host.HostReport;
import io.haul.host.KernelFeature;
import io.haul.protocol.v1.Capabilities;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * What this agent offers, for the handshake. Probing the host runs CRIU and touches the kernel (a few hundred
 * ms), which would otherwise sit in every handshake: the probe is kept for a while, the plugins, the namespace
 * handlers' limits and free room are read fresh.
 */
final class LocalCapabilities {

    private static final Duration PROBE_KEPT = Duration.ofSeconds(60);

    private final HostProbe host;
    private final PluginDirectory plugins;
    private final Path workspace;
    private final Clock clock;
    private HostReport report;
    private Instant probed = Instant.MIN;

    LocalCapabilities(HostProbe host, PluginDirectory plugins, Path workspace, Clock clock) {
        this.host = host;
        this.plugins = plugins;
        this.workspace = workspace;
        this.clock = clock;
    }

    /** Whether the kernel has a feature, by the last probe (a first one if none ran yet): kernels do not change. */
    synchronized boolean kernelHas(String feature) {
        if (report == null) {
            now();
        }
        return report.has(feature);
    }

    synchronized Capabilities now() {
        if (report == null || Duration.between(probed, clock.instant()).compareTo(PROBE_KEPT) > 0) {
            report = host.probe();
            probed = clock.instant();
        }
        Capabilities.Builder capabilities = Capabilities.newBuilder()
                .setCriuVersion(report.criu().version())
                .setKernelRelease(report.kernelRelease())
                .addAllBackends(plugins.usableNames(PluginKind.BACKEND))
                .addAllStrategies(plugins.usableNames(PluginKind.STRATEGY))
                .addAllNamespaceHandlers(plugins.usableNames(PluginKind.HANDLER))
                .setFreeBytes(Room.freeBytes(workspace));
        for (KernelFeature feature : report.features()) {
            if (!feature.name().startsWith(KernelFeature.criu(""))) { // CRIU's go in the namespace offers
                capabilities.putKernelFeatures(feature.name(), feature.present());
            }
        }
        // the handlers' limits are read fresh: a subuid file edited a second ago counts
        capabilities.putAllNamespaceOffers(NamespaceOffers.local(report, plugins));
        return capabilities.build();
    }
}
