package io.haul.host;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One probe of this host.
 *
 * @param criu          CRIU's location, version and {@code criu check} result
 * @param features      the kernel features, in a stable order (see {@link KernelFeature} for the names)
 * @param kernelRelease the running kernel's release, as {@code uname -r} prints it
 */
public record HostReport(CriuStatus criu, List<KernelFeature> features, String kernelRelease) {

    public HostReport {
        Objects.requireNonNull(criu, "criu");
        features = List.copyOf(features);
        kernelRelease = kernelRelease == null ? "" : kernelRelease;
    }

    /** The feature with this name, if it was probed. */
    public Optional<KernelFeature> feature(String name) {
        return features.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /** Whether the feature with this name was probed and is present. */
    public boolean has(String name) {
        return feature(name).map(KernelFeature::present).orElse(false);
    }
}
