package io.haul.engine;

import io.haul.api.backend.ContainerBackend;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.strategy.PreDumpStrategy;
import io.haul.host.HostProbe;
import io.haul.host.HostReport;
import io.haul.host.KernelFeature;
import io.haul.protocol.v1.Capabilities;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What this agent offers, for the handshake and the agent registry. */
final class LocalCapabilities {

    private LocalCapabilities() {
    }

    static Capabilities of(HostProbe host, Plugins plugins, Path workspace) {
        HostReport report = host.probe();
        Capabilities.Builder capabilities = Capabilities.newBuilder()
                .setCriuVersion(report.criu().version())
                .setKernelRelease(report.kernelRelease())
                .addAllBackends(plugins.usableNames(ContainerBackend.class, ContainerBackend.NAME))
                .addAllStrategies(plugins.usableNames(PreDumpStrategy.class, PreDumpStrategy.NAME))
                .addAllNamespaceHandlers(plugins.usableNames(NamespaceHandler.class, NamespaceHandler.KIND))
                .setFreeBytes(freeBytes(workspace));
        for (KernelFeature feature : report.features()) {
            capabilities.putKernelFeatures(feature.name(), feature.present());
        }
        return capabilities.build();
    }

    static long freeBytes(Path folder) {
        try {
            Files.createDirectories(folder);
            return Files.getFileStore(folder).getUsableSpace();
        } catch (IOException e) {
            return 0;
        }
    }
}
