package io.haul.engine;

/**
 * Where a test makes a migration fail on purpose: called as each side reaches each step, it may throw (the step
 * fails as if for real) or act on the world (cut the link, kill a process). {@link #NONE} in production.
 */
@FunctionalInterface
interface FaultPoints {

    FaultPoints NONE = (migrationId, point) -> {
    };

    /**
     * One side reached a step: {@code source:CHECKS}, {@code destination:RESTORE}... (the side, then a phase or
     * a named step within one).
     */
    void reached(String migrationId, String point) throws MigrationFailure;
}
