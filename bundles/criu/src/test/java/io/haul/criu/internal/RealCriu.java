package io.haul.criu.internal;

import io.haul.host.CriuSource;
import io.haul.host.CriuStatus;
import io.haul.host.HostProbe;
import io.haul.host.HostReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Test glue: Haul's own CRIU, as a HostProbe that found it and whose check passed (with no version, so the
 * driver has to ask CRIU itself); skips the test when it cannot be used.
 */
final class RealCriu implements HostProbe {

    static final Path CRIU = Path.of("/opt/haul/criu/bin/criu");

    /** Skips the calling test, saying why, unless it runs as root with Haul's CRIU installed. */
    static void assumeUsable() {
        boolean root = uid() == 0;
        boolean installed = Files.isExecutable(CRIU);
        if (!root || !installed) {
            String why = !root ? "not root (CRIU needs root)" : CRIU + " is missing (runtime/setup/install-criu.sh)";
            System.out.println("SKIPPED: " + why);
            Assumptions.assumeTrue(false, why);
        }
    }

    static CriuComponent component() {
        return new CriuComponent(new RealCriu());
    }

    @Override
    public CriuStatus criu() {
        return new CriuStatus(CRIU.toString(), CriuSource.HAUL_PREFIX, "", true, "Looks good.");
    }

    @Override
    public HostReport probe() {
        throw new UnsupportedOperationException("not needed by the CRIU driver");
    }

    private static long uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).strip().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown: treat as not root
        }
        return -1;
    }
}
