package io.haul.api.migration;

/** The phases of a migration, in order (README.md, "A migration, and what happens when it fails"). */
public enum Phase {
    HANDSHAKE(false),
    CHECKS(false),
    FILESYSTEM(false),
    PRECOPY(false),
    FINAL_DUMP(true),
    TRANSFER(true),
    RESTORE(true),
    COMMIT(true),
    CLEANUP(false);

    private final boolean frozen;

    Phase(boolean frozen) {
        this.frozen = frozen;
    }

    /** Whether the container is frozen during this phase. */
    public boolean frozen() {
        return frozen;
    }

    /** Whether a failure in this phase rolls the migration back (everything before the commit point). */
    public boolean rollsBack() {
        return compareTo(COMMIT) < 0;
    }
}
