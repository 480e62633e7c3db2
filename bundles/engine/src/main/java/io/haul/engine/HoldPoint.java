package io.haul.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault points a test on real agents stops a migration at ({@code testHoldAt} of {@code haul.engine}, a
 * comma-separated list): the migration that reaches one logs {@code held at POINT} and waits until its folder holds
 * {@value #RELEASE}, which it then deletes (so the next point holds again). A test acts on the world at that very
 * step (kills both agents at the commit point, writes into the cluster) and then lets it go on, or never.
 */
final class HoldPoint implements FaultPoints {

    static final String RELEASE = "release-hold";

    /** A hold nobody releases ends after this, so that a forgotten test setting cannot stop an agent for good. */
    private static final Duration LIMIT = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(HoldPoint.class);

    private final Set<String> points;
    private final Path migrations;

    HoldPoint(String points, Path migrations) {
        this.points = Set.of(points.strip().split("\\s*,\\s*"));
        this.migrations = migrations;
        LOG.warn("test setting testHoldAt: migrations stop at {} until released", this.points);
    }

    @Override
    public void reached(String migrationId, String point) {
        if (!points.contains(point)) {
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
        try {
            Files.deleteIfExists(release);
        } catch (java.io.IOException e) {
            LOG.warn("migration {}: cannot delete {}: {}", migrationId, release, e.toString());
        }
        LOG.warn("migration {}: released at {}", migrationId, point);
    }
}
