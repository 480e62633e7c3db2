package io.haul.fuzz;

import java.util.Objects;

/**
 * One decoder under fuzz: its name in reports, the inputs to give it (random bytes and mutations of valid
 * encodings, see {@link FuzzInputs}), how to run it on one, the errors it documents for bad input, and how much
 * it may allocate for one.
 */
public record FuzzTarget(String name, Generator<byte[]> inputs, DecoderSetup setup, TypedErrors refusals,
        AllocationBound allocation) {

    public FuzzTarget {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(setup, "setup");
        Objects.requireNonNull(refusals, "refusals");
        Objects.requireNonNull(allocation, "allocation");
    }

    @Override
    public String toString() {
        return name;
    }
}
