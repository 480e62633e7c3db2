package io.haul.strategy.criu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.strategy.PageSink;
import io.haul.api.strategy.PreCopyContext;
import io.haul.host.CriuSource;
import io.haul.host.CriuStatus;
import io.haul.host.HostProbe;
import io.haul.host.HostReport;
import io.haul.host.KernelFeature;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CriuPreDumpStrategyTest {

    /** Test glue: a host probe that reports soft-dirty tracking as told, and counts its probes. */
    private static final class FakeHost implements HostProbe {
        final AtomicInteger probes = new AtomicInteger();
        private final List<KernelFeature> features;

        FakeHost(List<KernelFeature> features) {
            this.features = features;
        }

        @Override
        public HostReport probe() {
            probes.incrementAndGet();
            return new HostReport(criu(), features, "6.18.0-test");
        }

        @Override
        public CriuStatus criu() {
            return new CriuStatus("/opt/haul/criu/criu", CriuSource.HAUL_PREFIX, "4.2.1", true, "Looks good.");
        }
    }

    private static final PreCopyContext CONTEXT = new PreCopyContext() {
        @Override
        public long rootPid() {
            return 1;
        }

        @Override
        public List<Long> pids() {
            return List.of(1L);
        }

        @Override
        public PageSink sink() {
            return new PageSink() {
                @Override
                public boolean offer(long pid, long address, ByteBuffer page) {
                    throw new AssertionError("nothing may be offered");
                }

                @Override
                public long bytesSent() {
                    return 0;
                }
            };
        }

        @Override
        public boolean cancelled() {
            return false;
        }
    };

    @Test
    void withoutSoftDirtyTrackingItIsUnusableAndSaysWhy() {
        FakeHost host = new FakeHost(List.of(new KernelFeature(KernelFeature.SOFT_DIRTY, false,
                "pagemap bit 55 of page 0x1000: 0 after clear_refs 4, 0 after a write"
                        + " (kernel without CONFIG_MEM_SOFT_DIRTY)")));
        CriuPreDumpStrategy strategy = new CriuPreDumpStrategy(host);

        Usability usability = strategy.usability();

        assertFalse(usability.usable());
        assertEquals("CRIU's pre-dump needs soft-dirty tracking (CONFIG_MEM_SOFT_DIRTY), which this kernel lacks",
                usability.reason());
        HaulException e = assertThrows(HaulException.class, () -> strategy.start(CONTEXT));
        assertEquals("strategy.unusable", e.code());
        assertEquals(usability.reason(), e.getMessage());
        assertEquals(1, host.probes.get(), "the kernel's soft-dirty support is probed once");
    }

    @Test
    void aProbeThatSaysNothingOfSoftDirtyCountsAsMissing() {
        CriuPreDumpStrategy strategy = new CriuPreDumpStrategy(new FakeHost(List.of()));

        assertFalse(strategy.usability().usable());
    }

    @Test
    void withSoftDirtyTrackingItSaysHonestlyThatThePreDumpIsNotImplemented() {
        FakeHost host = new FakeHost(List.of(new KernelFeature(KernelFeature.SOFT_DIRTY, true, "bit 55: 0, then 1")));
        CriuPreDumpStrategy strategy = new CriuPreDumpStrategy(host);

        Usability usability = strategy.usability();

        assertTrue(usability.usable());
        assertTrue(usability.reason().contains("not implemented"), usability.reason());
        HaulException e = assertThrows(HaulException.class, () -> strategy.start(CONTEXT));
        assertEquals("strategy.not-implemented", e.code());
        assertEquals(1, host.probes.get());
    }
}
