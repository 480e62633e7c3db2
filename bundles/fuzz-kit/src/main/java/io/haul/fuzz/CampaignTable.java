package io.haul.fuzz;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The campaign's report: a row per decoder, then how to reproduce each broken bound. */
final class CampaignTable {

    private static final String ROW = "%-22s %9s %8s %8s %8s %7s %5s %10s %12s %12s %6s %18s %9s%n";

    private CampaignTable() {
    }

    /** How many kinds of refusal {@link #printRefusals} shows per decoder, the most frequent first. */
    private static final int SHOWN_KINDS = 12;

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

    /** Per decoder, the refusals that ended its inputs, by kind: which of its checks the inputs reached. */
    static void printRefusals(List<Tally> tallies, PrintStream out) {
        for (Tally t : tallies) {
            out.printf(Locale.ROOT, "%n%s: %d kinds of refusal%n", t.target.name(), t.refusalKinds.size());
            t.refusalKinds.entrySet().stream()
                    .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed())
                    .limit(SHOWN_KINDS)
                    .forEach(kind -> out.printf(Locale.ROOT, "  %7s  %s%n", percent(kind.getValue(), t.inputs), kind.getKey()));
        }
    }

    private static String percent(long part, long whole) {
        return whole == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }
}
