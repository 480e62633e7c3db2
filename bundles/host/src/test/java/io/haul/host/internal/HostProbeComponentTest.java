package io.haul.host.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.haul.host.CriuSource;
import io.haul.host.CriuStatus;
import io.haul.host.HostReport;
import io.haul.host.KernelFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HostProbeComponentTest {

    private static final Path HAUL_CRIU = Path.of("/opt/haul/criu/bin/criu");

    @Test
    void findsHaulsOwnCriuAndItPassesItsCheck() {
        boolean installed = Files.isExecutable(HAUL_CRIU);
        if (!installed) {
            System.out.println("skipped: " + HAUL_CRIU + " is not installed (runtime/setup/install-criu.sh)");
        }
        assumeTrue(installed, HAUL_CRIU + " is not installed");

        CriuStatus criu = new HostProbeComponent("", k -> null, k -> null).criu();

        assertEquals(CriuSource.HAUL_PREFIX, criu.source(), criu.toString());
        assertEquals(HAUL_CRIU.toString(), criu.path());
        assertFalse(criu.version().isEmpty(), criu.toString());
        assertTrue(criu.checkPassed(), criu.checkOutput());
    }

    @Test
    void aConfiguredCriuThatIsNotThereIsReportedNotReplaced() {
        CriuStatus criu = new HostProbeComponent("/nonexistent/criu", k -> null, System::getenv).criu();

        assertEquals(CriuSource.NOT_FOUND, criu.source());
        assertEquals("", criu.path());
        assertFalse(criu.checkPassed());
        assertTrue(criu.checkOutput().contains("/nonexistent/criu"), criu.checkOutput());
    }

    @Test
    void probesEveryFeatureAndSaysHowEachFared() {
        HostProbeComponent probe = new HostProbeComponent("", System::getProperty, System::getenv);

        long started = System.nanoTime();
        HostReport report = probe.probe();
        long millis = (System.nanoTime() - started) / 1_000_000;

        System.out.println("host report in " + millis + " ms, kernel " + report.kernelRelease());
        System.out.println("  criu: " + report.criu().path() + " [" + report.criu().source() + "] version "
                + report.criu().version() + ", check " + (report.criu().checkPassed() ? "passed" : "failed")
                + ": " + report.criu().checkOutput().replace('\n', '|'));
        for (KernelFeature feature : report.features()) {
            System.out.printf("  %-17s %-7s %s%n", feature.name(), feature.present() ? "present" : "MISSING",
                    feature.detail());
        }
        assertEquals(4 + 8 + 1 + KernelFeature.CRIU_NAMESPACE_FEATURES.size(), report.features().size());
        assertTrue(report.features().stream().noneMatch(f -> f.detail().isBlank()));
        assertFalse(report.kernelRelease().isEmpty());
        // how long it took is printed, not asserted: on a loaded machine it is the machine's figure, not the probe's
        // (each probe's own tool run has its deadline in BoundedCommand)
    }
}
