package io.haul.fuzz;

/**
 * One decoder's figures over a campaign: how its inputs ended, the largest allocation one input made (with that
 * input's limit), the largest share of its limit any input took, the slowest decode, and the first input that
 * broke each bound, to reproduce it.
 */
final class Tally {

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

    Tally(FuzzTarget target) {
        this.target = target;
    }

    synchronized void add(Verdict verdict) {
        inputs++;
        switch (verdict.outcome()) {
            case DECODED -> decoded++;
            case REFUSED -> refused++;
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

    synchronized boolean boundsHeld() {
        return finished && crashes == 0 && hangs == 0 && overAllocations == 0;
    }
}
