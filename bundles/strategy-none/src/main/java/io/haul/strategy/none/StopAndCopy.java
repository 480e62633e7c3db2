package io.haul.strategy.none;

import io.haul.api.Usability;
import io.haul.api.strategy.HaulStrategy;
import io.haul.api.strategy.PreCopy;
import io.haul.api.strategy.PreCopyContext;
import io.haul.api.strategy.PreDumpStrategy;
import io.haul.api.strategy.RoundStats;
import java.time.Duration;
import org.osgi.service.component.annotations.Component;

/**
 * Stop and copy: no pre-copy round at all, so every page moves while the container is frozen. The baseline
 * the other strategies are measured against, and what works everywhere.
 */
@Component(service = PreDumpStrategy.class)
@HaulStrategy("none")
public final class StopAndCopy implements PreDumpStrategy {

    @Override
    public Usability usability() {
        return Usability.yes();
    }

    @Override
    public PreCopy start(PreCopyContext context) {
        return new PreCopy() {
            @Override
            public RoundStats round() {
                // a round that scanned nothing tells the engine there is nothing to copy ahead
                return new RoundStats(1, 0, 0, 0, 0, Duration.ZERO, 0, Duration.ZERO);
            }

            @Override
            public void close() {
            }
        };
    }
}
