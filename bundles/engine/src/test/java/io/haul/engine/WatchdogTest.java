package io.haul.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WatchdogTest {

    @Test
    void actsOnceNothingMovedForTheLimit() throws InterruptedException {
        CountDownLatch stalled = new CountDownLatch(1);
        try (Watchdog watchdog = new Watchdog(Clock.systemUTC(), Duration.ofMillis(200), stalled::countDown)) {
            assertTrue(stalled.await(5, TimeUnit.SECONDS), "the watchdog never acted on a stalled transfer");
            assertTrue(watchdog.fired());
        }
    }

    @Test
    void aTransferThatKeepsMovingIsLeftAlone() throws InterruptedException {
        CountDownLatch stalled = new CountDownLatch(1);
        try (Watchdog watchdog = new Watchdog(Clock.systemUTC(), Duration.ofSeconds(2), stalled::countDown)) {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(600);
            while (System.nanoTime() < end) {
                watchdog.moved();
                assertFalse(stalled.await(50, TimeUnit.MILLISECONDS), "acted although the transfer moved");
            }
            assertFalse(watchdog.fired());
        }
    }
}
