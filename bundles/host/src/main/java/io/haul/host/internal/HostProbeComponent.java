package io.haul.host.internal;

import io.haul.host.CriuStatus;
import io.haul.host.HostProbe;
import io.haul.host.HostReport;
import io.haul.host.KernelFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link HostProbe} service. Nothing is cached: the handshake wants the host as it is now, and a full
 * probe costs a few tens of milliseconds plus three short CRIU runs.
 */
@Component(service = HostProbe.class, configurationPid = "haul.agent")
public final class HostProbeComponent implements HostProbe {

    private static final Logger LOG = LoggerFactory.getLogger(HostProbeComponent.class);
    private static final Path OSRELEASE = Path.of("/proc/sys/kernel/osrelease");

    private final String criuPath;
    private final Function<String, String> property;
    private final Function<String, String> environment;
    private final CriuInspector inspector = new CriuInspector(CriuInspector.TIMEOUT);

    @Activate
    public HostProbeComponent(CriuSettings settings, BundleContext context) {
        // BundleContext.getProperty sees framework properties first, then system properties
        this(settings.criuPath(), context::getProperty, System::getenv);
    }

    HostProbeComponent(String criuPath, Function<String, String> property, Function<String, String> environment) {
        this.criuPath = criuPath == null ? "" : criuPath;
        this.property = property;
        this.environment = environment;
        LOG.debug("host probe ready, criuPath '{}'", this.criuPath);
    }

    @Override
    public CriuStatus criu() {
        try {
            CriuLocator.Location location = CriuLocator.forHost(criuPath, property, environment).locate();
            CriuStatus status = inspector.inspect(location);
            LOG.debug("criu: {} ({}) version '{}' check {}", status.path(), status.source(), status.version(),
                    status.checkPassed() ? "passed" : "failed");
            return status;
        } catch (RuntimeException e) {
            LOG.warn("locating CRIU failed", e);
            return CriuStatus.notFound("locating CRIU failed: " + e);
        }
    }

    @Override
    public HostReport probe() {
        long started = System.nanoTime();
        CriuStatus criu = criu();
        Supplier<String> criuOnSoftDirty = criu.found()
                ? () -> inspector.checkFeature(Path.of(criu.path()), "mem_dirty_track")
                : null;
        List<KernelFeature> features = new ArrayList<>();
        features.add(safely(KernelFeature.SOFT_DIRTY, () -> new SoftDirtyProbe(criuOnSoftDirty).probe()));
        features.add(safely(KernelFeature.USERFAULTFD, () -> new UserfaultfdProbe().probe()));
        features.add(safely(KernelFeature.PROCESS_VM_READV, () -> new ProcessVmReadvProbe().probe()));
        features.add(safely(KernelFeature.PAGEMAP_SCAN, () -> new PagemapScanProbe().probe()));
        NamespaceProbe namespaces = new NamespaceProbe();
        for (String kind : KernelFeature.NAMESPACE_KINDS) {
            features.add(safely(KernelFeature.namespace(kind), () -> namespaces.probe(kind)));
        }
        features.add(safely(KernelFeature.CGROUP, () -> new CgroupProbe().probe()));
        features.addAll(criuFeatures(criu));
        HostReport report = new HostReport(criu, features, kernelRelease());
        LOG.info("host probed in {} ms: criu {} {}, missing {}", (System.nanoTime() - started) / 1_000_000,
                criu.version().isEmpty() ? "-" : criu.version(), criu.checkPassed() ? "ok" : "not usable",
                features.stream().filter(f -> !f.present()).map(KernelFeature::name).toList());
        return report;
    }

    /** CRIU's namespace features, one {@code criu check --feature} each (about 0.1 s), run side by side. */
    private List<KernelFeature> criuFeatures(CriuStatus criu) {
        List<String> names = KernelFeature.CRIU_NAMESPACE_FEATURES.values().stream().flatMap(List::stream).sorted()
                .toList();
        if (!criu.found()) {
            return names.stream().map(f -> new KernelFeature(KernelFeature.criu(f), false, "no CRIU found")).toList();
        }
        try (var checks = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<KernelFeature>> running = names.stream().map(f -> checks.submit(() ->
                    safely(KernelFeature.criu(f), () -> criuFeature(criu, f)))).toList();
            List<KernelFeature> found = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                try {
                    found.add(running.get(i).get());
                } catch (java.util.concurrent.ExecutionException e) {
                    found.add(new KernelFeature(KernelFeature.criu(names.get(i)), false, "probe failed: " + e));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    found.add(new KernelFeature(KernelFeature.criu(names.get(i)), false, "interrupted"));
                }
            }
            return found;
        }
    }

    private KernelFeature criuFeature(CriuStatus criu, String feature) {
        String verdict = inspector.checkFeature(Path.of(criu.path()), feature);
        return new KernelFeature(KernelFeature.criu(feature), verdict.startsWith("passed"),
                "criu check --feature " + feature + ": " + verdict);
    }

    // One broken probe (a linkage error on an odd libc, say) must not hide what the others found.
    private static KernelFeature safely(String name, Supplier<KernelFeature> probe) {
        try {
            return probe.get();
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("probe {} failed", name, e);
            return new KernelFeature(name, false, "probe failed: " + e);
        }
    }

    static String kernelRelease() {
        try {
            return Files.readString(OSRELEASE).strip();
        } catch (IOException e) {
            return System.getProperty("os.version", "");
        }
    }
}
