package io.haul.pages;

/**
 * Pages the destination holds, found by their {@link PageFingerprint} instead of their SHA-256: what pre-copy
 * pushed, each with the hash it was pushed under. The final dump's recipe ({@link PageRecipeWriter}) names such a
 * page by that hash without hashing it again; a page not found is hashed as before.
 *
 * <p>Called from the writer's hashing threads at once: implementations must be safe for concurrent reads.
 */
public interface KnownPages {

    /** The hash of a page with this fingerprint the destination holds, or null when there is none. */
    PageHash byFingerprint(long fingerprintHi, long fingerprintLo);
}
