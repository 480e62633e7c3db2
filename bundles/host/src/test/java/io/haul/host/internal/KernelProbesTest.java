package io.haul.host.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.host.KernelFeature;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelProbesTest {

    @Test
    void readsAnotherProcessesMemory() {
        KernelFeature feature = new ProcessVmReadvProbe().probe();
        System.out.println("process_vm_readv: " + feature);

        assertTrue(feature.present(), feature.detail());
        assertTrue(feature.detail().startsWith("read "), feature.detail());
    }

    @Test
    void userfaultfdAnswersWithAReason() {
        KernelFeature feature = new UserfaultfdProbe().probe();
        System.out.println("userfaultfd: " + feature);

        assertFalse(feature.detail().isBlank());
        KernelConfig.enabled("CONFIG_USERFAULTFD").filter(built -> !built)
                .ifPresent(none -> assertFalse(feature.present(), feature.detail()));
    }

    @Test
    void pagemapScanSaysHowItKnows() {
        KernelFeature feature = new PagemapScanProbe().probe();
        System.out.println("pagemap_scan: " + feature);

        assertTrue(feature.detail().contains("PAGEMAP_SCAN"), feature.detail());
    }

    @Test
    void namespacesOfThisProcess() {
        List<KernelFeature> features = new NamespaceProbe().probeAll();

        assertEquals(8, features.size());
        KernelFeature mnt = features.getFirst();
        assertEquals("ns:mnt", mnt.name());
        assertTrue(mnt.present());
        assertTrue(mnt.detail().matches("mnt:\\[\\d+\\]"), mnt.detail());
    }

    @Test
    void aNamespaceKindWithoutLinkIsMissing(@TempDir Path empty) {
        KernelFeature time = new NamespaceProbe(empty).probe("time");

        assertFalse(time.present());
        assertTrue(time.detail().contains("CONFIG_TIME_NS"), time.detail());
    }

    @Test
    void cgroupLayouts() {
        String v1 = "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu";
        String v2 = "41 31 0:38 / /sys/fs/cgroup rw,relatime shared:9 - cgroup2 cgroup2 rw";
        String other = "22 1 0:21 / /proc rw - proc proc rw";

        assertEquals(CgroupProbe.HYBRID, CgroupProbe.fromMountinfo(List.of(other, v1, v2)).detail());
        assertEquals(CgroupProbe.V2, CgroupProbe.fromMountinfo(List.of(v2)).detail());
        assertEquals(CgroupProbe.V1, CgroupProbe.fromMountinfo(List.of(v1)).detail());
        assertFalse(CgroupProbe.fromMountinfo(List.of(other)).present());
        assertEquals(CgroupProbe.V2, CgroupProbe.fromMounts(List.of("cgroup2 /sys/fs/cgroup cgroup2 rw 0 0")).detail());
    }
}
