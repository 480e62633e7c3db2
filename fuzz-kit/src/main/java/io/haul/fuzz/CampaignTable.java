package io.haul.fuzz;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The campaign's report: a row per decoder, then how to reproduce each broken bound. */
final class CampaignTable {

    private static final String ROW = "%-22s %9s %8s %8s %8s %7s %5s %10s %12s %12s %6s %18s %9s%n";

    private CampaignTable() {
    }

    static void print(List<Tally> tallies, PrintStream out) {
        out.printf(Locale.ROOT, ROW, "decoder", "inputs", "time", "decoded", "refused", "crashes", "hangs",
                "over-limit", "largest-alloc", "its-limit", "share", "limit", "slowest");
        for (Tally t : tallies) {
            out.printf(Locale.ROOT, ROW, t.target.name(), t.inputs + (t.finished ? "" : "!"), Sizes.nanos(t.elapsedNanos),
                    percent(t.decoded, t.inputs), percent(t.refused, t.inputs), t.crashes, t.hangs, t.overAllocations,
                    Sizes.bytes(t.largestAllocation), Sizes.bytes(t.largestAllocationLimit),
                    String.format(Locale.ROOT, "%.0f%%", 100 * t.largestShareOfLimit), t.target.allocation(),
                    Sizes.nanos(t.slowestNanos));
        }
        for (Tally t : tallies) {
            for (Verdict first : new Verdict[] {t.firstCrash, t.firstHang, t.firstOverAllocation}) {
                if (first != null) {
                    out.println();
                    out.println(first.describe(t.target.name()));
                }
            }
        }
    }

    private static String percent(long part, long whole) {
        return whole == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }
}
