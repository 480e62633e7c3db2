package io.haul.host.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/** The running kernel's build configuration, for tests to know what the probes should find. */
final class KernelConfig {

    private KernelConfig() {
    }

    /** The config text from /proc/config.gz or /boot/config-$(uname -r), if either is there. */
    static Optional<String> read() {
        try {
            Path gz = Path.of("/proc/config.gz");
            if (Files.isReadable(gz)) {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
                    return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            Path boot = Path.of("/boot/config-" + HostProbeComponent.kernelRelease());
            return Files.isReadable(boot) ? Optional.of(Files.readString(boot)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code option} is built in, if the config is known. */
    static Optional<Boolean> enabled(String option) {
        return read().map(text -> text.lines().anyMatch(line -> line.equals(option + "=y")));
    }
}
