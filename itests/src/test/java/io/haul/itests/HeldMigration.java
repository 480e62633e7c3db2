package io.haul.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/**
 * A migration that the engine's test hold ({@code testHoldAt}) stops at each listed step of its source: the test
 * lets it go on step by step and acts on the world at one of them. The source logs {@code migration ID: held at
 * POINT} at each hold and waits for {@code release-hold} in its folder; each hold is released once, so that no
 * release is left lying for a later one.
 */
final class HeldMigration {

    private final TwoHostCluster.Agent source;
    private final String id;
    /** The holds reached so far that this test let go of (or acted at). */
    private int handled;

    HeldMigration(TwoHostCluster.Agent source, String id) {
        this.source = source;
        this.id = id;
    }

    /** Lets every hold before {@code point} go; returns once the migration is held at it. */
    void runTo(String point, LiveCommand migrate, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            if (reached() > handled) {
                if (lastPoint().equals(point)) {
                    return;
                }
                release();
            } else if (!migrate.isAlive()) {
                throw new AssertionError("the migration ended before it reached " + point + ":\n" + migrate.output());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("migration " + id + " not held at " + point + " within " + seconds + " s\n"
                        + migrate.output() + source.output());
            }
            Thread.sleep(50); // the agent's log is where it says it holds; no other event reaches the test
        }
    }

    /** Lets the hold the migration waits at go. */
    void release() throws IOException {
        handled = reached();
        Files.writeString(source.state.resolve("migrations").resolve(id).resolve("release-hold"), "");
    }

    /** Counts the hold the migration waits at as acted on, without letting it go (its agent is gone). */
    void abandon() {
        handled = reached();
    }

    /** Lets every later hold go until {@code migrate} ends; false if it did not within {@code seconds}. */
    boolean releaseUntilEnd(LiveCommand migrate, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (migrate.isAlive()) {
            if (source.alive() && reached() > handled) {
                release();
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    private int reached() {
        return (int) source.logText().lines().filter(l -> l.contains("migration " + id + ": held at ")).count();
    }

    private String lastPoint() {
        return source.logText().lines().filter(l -> l.contains("migration " + id + ": held at "))
                .reduce((first, second) -> second)
                .map(l -> l.replaceFirst(".*: held at (\\S+) .*", "$1")).orElse("");
    }
}
