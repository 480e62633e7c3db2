package io.haul.strategy.vmread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.strategy.PreCopy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class VmReadStrategyTest {

    @Test
    void unusableWhereProcessVmReadvFailsAndSaysWhy() {
        VmReadStrategy strategy = new VmReadStrategy(
                () -> new HostCheck(false, false, "process_vm_readv(pid 7, ...): EPERM (Operation not permitted)"),
                VmReadPreCopy.DEFAULT_BUFFER);

        Usability usability = strategy.usability();

        assertFalse(usability.usable());
        assertTrue(usability.reason().contains("EPERM"), usability.reason());
        HaulException e = assertThrows(HaulException.class,
                () -> strategy.start(new TestContext(() -> List.of(1L), RecordingSink.counting())));
        assertEquals("strategy.unusable", e.code());
    }

    @Test
    void probesTheHostOnce() throws Exception {
        AtomicInteger probes = new AtomicInteger();
        VmReadStrategy strategy = new VmReadStrategy(() -> {
            probes.incrementAndGet();
            return new HostCheck(true, false, "fine");
        }, 4096);

        assertTrue(strategy.usability().usable());
        assertTrue(strategy.usability().usable());
        try (PreCopy preCopy = strategy.start(new TestContext(() -> List.of(), RecordingSink.counting()))) {
            assertEquals(0, preCopy.round().pagesScanned());
        }
        assertEquals(1, probes.get());
    }

    @Test
    void theRealProbeReadsAChild() throws Exception {
        Child.assumeRootAndPerl();

        HostCheck check = HostCheck.run();

        System.out.println("FIGURE host check: " + check);
        assertTrue(check.processVmReadv(), check.detail());
        assertTrue(new VmReadStrategy().usability().usable());
        // where the running kernel's config is at hand, the soft-dirty verdict must agree with it
        Path config = Path.of("/boot/config-" + Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip());
        if (Files.isReadable(config)) {
            assertEquals(Files.readAllLines(config).contains("CONFIG_MEM_SOFT_DIRTY=y"), check.softDirty(),
                    check.detail());
        }
    }
}
