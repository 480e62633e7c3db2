package io.haul.fuzz;

/**
 * One decoder's figures over a campaign: how its inputs ended, the largest allocation one input made (with that
 * input's limit), the largest share of its limit any input took, the slowest decode, and the first input that
 * broke each bound, to reproduce it.
 */
final class Tally {

    /** How long a refusal's message is kept to tell its kind: its first words, numbers blanked. */
    private static final int KIND_CHARS = 72;

    final FuzzTarget target;
    long inputs;
    long decoded;
    long refused;
    long crashes;
    long hangs;
    long overAllocations;
    long largestAllocation;
    long largestAllocationLimit;
    double largestShareOfLimit;
    long slowestNanos;
    long elapsedNanos;
    /** False when a decode never returned and the run stopped at it. */
    boolean finished = true;
    Verdict firstCrash;
    Verdict firstHang;
    Verdict firstOverAllocation;
    /** How many inputs each kind of refusal ended: what the decoder checked, so how deep the inputs got. */
    final java.util.Map<String, Long> refusalKinds = new java.util.HashMap<>();

    Tally(FuzzTarget target) {
        this.target = target;
    }

    synchronized void add(Verdict verdict) {
        inputs++;
        switch (verdict.outcome()) {
            case DECODED -> decoded++;
            case REFUSED -> {
                refused++;
                refusalKinds.merge(kindOf(verdict.thrown()), 1L, Long::sum);
            }
            case CRASHED -> {
                crashes++;
                firstCrash = firstCrash == null ? verdict : firstCrash;
            }
            case HUNG -> {
                hangs++;
                firstHang = firstHang == null ? verdict : firstHang;
            }
        }
        if (verdict.overAllocated()) {
            overAllocations++;
            firstOverAllocation = firstOverAllocation == null ? verdict : firstOverAllocation;
        }
        if (verdict.allocatedBytes() > largestAllocation) {
            largestAllocation = verdict.allocatedBytes();
            largestAllocationLimit = verdict.allocationLimit();
        }
        largestShareOfLimit = Math.max(largestShareOfLimit, (double) verdict.allocatedBytes() / verdict.allocationLimit());
        slowestNanos = Math.max(slowestNanos, verdict.nanos());
    }

    /** The refusal's class and the start of its message, with numbers, hashes and quoted names blanked. */
    static String kindOf(Throwable thrown) {
        String message = String.valueOf(thrown.getMessage()).replaceAll("(?<=\\s)'[^']*'", "'_'")
                .replaceAll("\\b(0x[0-9a-f]+|[0-9a-f]*[0-9][0-9a-f]*)\\b", "#");
        String kind = thrown.getClass().getSimpleName() + ": " + message;
        return kind.length() > KIND_CHARS ? kind.substring(0, KIND_CHARS) + "..." : kind;
    }

    synchronized boolean boundsHeld() {
        return finished && crashes == 0 && hangs == 0 && overAllocations == 0;
    }
}
