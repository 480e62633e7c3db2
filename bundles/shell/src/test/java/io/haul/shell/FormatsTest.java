package io.haul.shell;

import io.haul.json.HaulJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.ContainerRef;
import io.haul.api.backend.ContainerInfo;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.plugin.PluginDescription;
import io.haul.host.CriuStatus;
import io.haul.host.HostReport;
import io.haul.host.KernelFeature;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FormatsTest {

    @Test
    void sizesReadAsPeopleWriteThem() {
        assertEquals("512 B", Formats.bytes(512));
        assertEquals("1.5 KiB", Formats.bytes(1536));
        assertEquals("256.0 MiB", Formats.bytes(256L << 20));
    }

    @Test
    void aMissingCriuIsSaidWithItsReason() {
        HostReport report = new HostReport(CriuStatus.notFound("no criu in /opt/haul/criu/bin or on PATH"),
                List.of(new KernelFeature(KernelFeature.SOFT_DIRTY, false, "bit 55 never set")), "6.18");
        String text = Formats.hostReport(report);
        assertTrue(text.contains("criu    NOT FOUND: no criu in /opt/haul/criu/bin or on PATH"), text);
        assertTrue(text.contains("soft-dirty  MISSING  bit 55 never set"), text);
    }

    @Test
    void aTreeThatCannotMoveSaysWhyInItsRow() {
        ContainerInfo tree = new ContainerInfo(new ContainerRef("process", "42"), 42, "sh -c loop", 3, 3L << 20,
                Set.of(NamespaceKind.PID), false, "session leader 7 is outside", Map.of());
        String text = Formats.containerList(new ContainerList(List.of(tree), List.of("docker: not usable here")));
        assertTrue(text.lines().anyMatch(line -> line.startsWith("process:42") && line.contains("no: session leader 7 is outside")
                && line.contains("3.0 MiB")), text);
        assertTrue(text.contains("warning: docker: not usable here"), text);
    }

    @Test
    void anEmptyPluginListSaysSoInsteadOfAnEmptyTable() {
        assertEquals("no strategies registered\n", Formats.pluginList(new PluginList("STRATEGY", "strategies", List.of())));
    }

    @Test
    void jsonOfAPluginListKeepsNamesAndReasons() {
        String json = HaulJson.pretty(new PluginList("BACKEND", "backends",
                List.of(new PluginDescription("BACKEND", "docker", "io.haul.plugin-docker", "0.1.0", false, "no dockerd"))));
        assertTrue(json.contains("\"name\" : \"docker\""), json);
        assertTrue(json.contains("\"reason\" : \"no dockerd\""), json);
    }
}
