package io.haul.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Acts when a transfer stops moving. A stream write or read blocks for as long as TCP keeps trying (many
 * minutes when a link goes down without a word), and the source stays frozen meanwhile: the watchdog
 * closes the connection once nothing moved for the limit, which ends the blocked call with an error and
 * so starts the rollback.
 */
final class Watchdog implements AutoCloseable {

    private final Clock clock;
    private final Duration limit;
    private final Runnable onStall;
    private final ScheduledExecutorService timer;
    private volatile Instant lastMove;
    private volatile boolean fired;

    Watchdog(Clock clock, Duration limit, Runnable onStall) {
        this.clock = clock;
        this.limit = limit;
        this.onStall = onStall;
        this.lastMove = clock.instant();
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("haul-watchdog").factory());
        long period = Math.max(100, limit.toMillis() / 10);
        timer.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    /** Something moved. */
    void moved() {
        lastMove = clock.instant();
    }

    /** Whether it acted: the failure that follows is a stall, not whatever the closed stream says. */
    boolean fired() {
        return fired;
    }

    private void check() {
        if (!fired && Duration.between(lastMove, clock.instant()).compareTo(limit) > 0) {
            fired = true;
            onStall.run();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
