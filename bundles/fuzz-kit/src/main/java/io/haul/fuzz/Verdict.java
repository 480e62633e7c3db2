package io.haul.fuzz;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HexFormat;

/**
 * What one input did to a decoder: how it ended, what it made the decoder allocate on its thread against the
 * bound for an input of its length, and how long it took. {@code thrown} is null unless it threw.
 */
public record Verdict(Outcome outcome, long allocatedBytes, long allocationLimit, long nanos, Throwable thrown,
        byte[] input) {

    /** The most of an input a report shows. */
    private static final int SHOWN_BYTES = 512;

    public boolean overAllocated() {
        return allocatedBytes > allocationLimit;
    }

    /** A crash, a hang or more allocation than the bound allows. */
    public boolean breaksBounds() {
        return outcome == Outcome.CRASHED || outcome == Outcome.HUNG || overAllocated();
    }

    /** What a person needs to reproduce it: the bound broken, the input in hex, the throwable's trace. */
    public String describe(String target) {
        StringBuilder text = new StringBuilder(target).append(": ");
        if (outcome == Outcome.CRASHED) {
            text.append("crashed with ").append(thrown);
        } else if (outcome == Outcome.HUNG) {
            text.append("took ").append(Sizes.nanos(nanos)).append(", past the time limit");
        } else {
            text.append(outcome.name().toLowerCase(java.util.Locale.ROOT));
        }
        if (overAllocated()) {
            text.append("; allocated ").append(Sizes.bytes(allocatedBytes)).append(", over its limit of ")
                    .append(Sizes.bytes(allocationLimit));
        }
        text.append("\n  input (").append(input.length).append(" bytes): ")
                .append(HexFormat.of().formatHex(input, 0, Math.min(input.length, SHOWN_BYTES)))
                .append(input.length > SHOWN_BYTES ? "..." : "");
        if (outcome == Outcome.CRASHED) {
            StringWriter trace = new StringWriter();
            thrown.printStackTrace(new PrintWriter(trace));
            text.append("\n  ").append(trace.toString().strip().replace("\n", "\n  "));
        }
        return text.toString();
    }
}
