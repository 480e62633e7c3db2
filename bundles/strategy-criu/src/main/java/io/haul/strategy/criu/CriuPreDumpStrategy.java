package io.haul.strategy.criu;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.strategy.HaulStrategy;
import io.haul.api.strategy.PreCopy;
import io.haul.api.strategy.PreCopyContext;
import io.haul.api.strategy.PreDumpStrategy;
import io.haul.host.HostProbe;
import io.haul.host.KernelFeature;
import java.util.Objects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CRIU's own pre-dump (its splice and read modes, and later its page server), round after round while the tree
 * runs. CRIU finds the pages written since the last round through the kernel's soft-dirty tracking
 * (CONFIG_MEM_SOFT_DIRTY) and fails without it, so this strategy lists itself unusable where
 * {@link HostProbe} finds no soft-dirty tracking, as on every arm64 kernel and on this project's machines.
 *
 * <p><b>Not implemented yet.</b> Where the kernel has soft-dirty tracking the strategy says it is usable there
 * (with a note that the pre-dump is missing) and {@link #start} fails with {@code strategy.not-implemented}:
 * the pre-dump RPC, the images of each round as parents of the next and their transfer are still to be written,
 * and none of this could be tried on a kernel without soft-dirty. The {@code vmread} strategy is the one that
 * copies memory ahead on such kernels.
 */
@Component(service = PreDumpStrategy.class)
@HaulStrategy("criu")
public final class CriuPreDumpStrategy implements PreDumpStrategy {

    static final String NO_SOFT_DIRTY =
            "CRIU's pre-dump needs soft-dirty tracking (CONFIG_MEM_SOFT_DIRTY), which this kernel lacks";
    static final String NOT_IMPLEMENTED = "the 'criu' strategy (CRIU's own pre-dump) is not implemented yet;"
            + " use 'vmread' to copy memory ahead";

    private static final Logger LOG = LoggerFactory.getLogger(CriuPreDumpStrategy.class);

    private final HostProbe host;
    private volatile KernelFeature softDirty;

    @Activate
    public CriuPreDumpStrategy(@Reference HostProbe host) {
        this.host = Objects.requireNonNull(host, "host");
    }

    @Override
    public Usability usability() {
        KernelFeature feature = softDirty();
        return feature.present() ? new Usability(true, NOT_IMPLEMENTED) : Usability.no(NO_SOFT_DIRTY);
    }

    @Override
    public PreCopy start(PreCopyContext context) throws HaulException {
        Usability usability = usability();
        if (!usability.usable()) {
            throw new HaulException("strategy.unusable", usability.reason());
        }
        // Honest failure rather than a pre-copy that copies nothing and calls it done.
        throw new HaulException("strategy.not-implemented", NOT_IMPLEMENTED);
    }

    /**
     * The soft-dirty feature, probed once through HostProbe (a full probe, CRIU runs included, takes up to a
     * couple of seconds): whether the kernel tracks soft-dirty pages does not change while it runs.
     */
    private KernelFeature softDirty() {
        KernelFeature feature = softDirty;
        if (feature == null) {
            synchronized (this) {
                feature = softDirty;
                if (feature == null) {
                    feature = host.probe().feature(KernelFeature.SOFT_DIRTY).orElseGet(
                            () -> new KernelFeature(KernelFeature.SOFT_DIRTY, false, "not probed by this host probe"));
                    softDirty = feature;
                    LOG.info("criu strategy: soft-dirty tracking {} ({})", feature.present() ? "present" : "absent",
                            feature.detail());
                }
            }
        }
        return feature;
    }
}
