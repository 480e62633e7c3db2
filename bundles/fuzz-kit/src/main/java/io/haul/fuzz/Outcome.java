package io.haul.fuzz;

/** How one decode ended. */
public enum Outcome {
    /** It returned: the input was one it accepts. */
    DECODED,
    /** It threw one of the errors it documents. */
    REFUSED,
    /** It threw anything else. */
    CRASHED,
    /** It took longer than the time limit, or never returned. */
    HUNG
}
