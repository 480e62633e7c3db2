package io.haul.host.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.host.KernelFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SoftDirtyProbeTest {

    @Test
    void agreesWithTheKernelConfig() {
        KernelFeature feature = new SoftDirtyProbe(null).probe();
        System.out.println("soft-dirty: " + feature);

        assertEquals(KernelFeature.SOFT_DIRTY, feature.name());
        assertFalse(feature.detail().isBlank());
        Optional<Boolean> built = KernelConfig.enabled("CONFIG_MEM_SOFT_DIRTY");
        if (Files.exists(Path.of("/proc/self/clear_refs")) && built.isPresent()) {
            // this project's machine has no CONFIG_MEM_SOFT_DIRTY: the probe must not claim it
            assertEquals(built.get(), feature.present(), feature.detail());
            if (!built.get()) {
                assertTrue(feature.detail().contains("bit 55"), feature.detail());
            }
        }
    }

    @Test
    void addsCriusVerdictToTheDetail() {
        KernelFeature feature = new SoftDirtyProbe(() -> "failed (exit 1): Dirty tracking is OFF").probe();

        assertTrue(feature.detail().endsWith("criu check --feature mem_dirty_track failed (exit 1): Dirty tracking is OFF"),
                feature.detail());
    }
}
