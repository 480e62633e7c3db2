package io.haul.api.migration;

/** How a migration ended, or that it has not yet. */
public enum Outcome {
    /** Still going. */
    IN_PROGRESS,
    /** The container runs on the destination; the source copy is gone. */
    SUCCEEDED,
    /** A failure before the commit point; the container runs on the source again. */
    ROLLED_BACK,
    /** A user cancelled before the commit point; the container runs on the source again. */
    CANCELLED,
    /** The rollback itself failed: the error says what needs a person. */
    FAILED
}
