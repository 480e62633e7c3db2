package io.haul.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault point a test on real agents stops a migration at ({@code testHoldAt} of {@code haul.engine}): the
 * migration that reaches it logs {@code held at POINT} and waits until its folder holds {@value #RELEASE}, so a
 * test can act on the world at that very step (kill both agents at the commit point, write into the cluster) and
 * then let it go on, or never.
 */
final class HoldPoint implements FaultPoints {

    static final String RELEASE = "release-hold";

    /** A hold nobody releases ends after this, so that a forgotten test setting cannot stop an agent for good. */
    private static final Duration LIMIT = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(HoldPoint.class);

    private final String point;
    private final Path migrations;

    HoldPoint(String point, Path migrations) {
        this.point = point;
        this.migrations = migrations;
        LOG.warn("test setting testHoldAt: migrations stop at {} until released", point);
    }

    @Override
    public void reached(String migrationId, String reached) {
        if (!point.equals(reached)) {
            return;
        }
        Path release = migrations.resolve(migrationId).resolve(RELEASE);
        LOG.warn("migration {}: held at {} until {} exists", migrationId, point, release);
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!Files.exists(release) && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(50); // a test hook: a file's appearance has no event this thread could wait on cheaply
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.warn("migration {}: released at {}", migrationId, point);
    }
}
