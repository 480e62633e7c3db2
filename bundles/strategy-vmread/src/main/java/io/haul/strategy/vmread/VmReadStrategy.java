package io.haul.strategy.vmread;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.strategy.HaulStrategy;
import io.haul.api.strategy.PreCopy;
import io.haul.api.strategy.PreCopyContext;
import io.haul.api.strategy.PreDumpStrategy;
import java.util.Objects;
import java.util.function.Supplier;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Haul's own pre-copy: reads the running tree's private writable memory with process_vm_readv, round after
 * round, and offers the pages whose content changed since they were last offered. Nothing is frozen, traced or
 * injected, and it works without the kernel's soft-dirty tracking (which it uses where present, to read only
 * the pages written since the last round).
 */
@Component(service = PreDumpStrategy.class)
@HaulStrategy("vmread")
public final class VmReadStrategy implements PreDumpStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(VmReadStrategy.class);

    private final Supplier<HostCheck> probe;
    private final int bufferBytes;
    private volatile HostCheck host;

    public VmReadStrategy() {
        this(HostCheck::run, VmReadPreCopy.DEFAULT_BUFFER);
    }

    VmReadStrategy(Supplier<HostCheck> probe, int bufferBytes) {
        this.probe = Objects.requireNonNull(probe, "probe");
        this.bufferBytes = bufferBytes;
    }

    @Override
    public Usability usability() {
        HostCheck check = host();
        return check.processVmReadv() ? Usability.yes()
                : Usability.no("process_vm_readv cannot read another process here: " + check.detail());
    }

    @Override
    public PreCopy start(PreCopyContext context) throws HaulException {
        Usability usability = usability();
        if (!usability.usable()) {
            throw new HaulException("strategy.unusable", usability.reason());
        }
        return new VmReadPreCopy(context, host().softDirty(), bufferBytes);
    }

    /** Probed once: neither the kernel nor the agent's privileges change while it runs. */
    private HostCheck host() {
        HostCheck check = host;
        if (check == null) {
            synchronized (this) {
                check = host;
                if (check == null) {
                    check = probe.get();
                    host = check;
                    LOG.info("vmread strategy: {}", check.detail());
                }
            }
        }
        return check;
    }
}
