package io.haul.fuzz;

/**
 * The most a decoder may allocate for one input: what it sets aside whatever comes (its buffers, the limits it
 * declares) plus a share per input byte (what decoding the bytes themselves may take: strings, copies). A
 * decoder that allocates for what a header claims rather than for what arrived breaks it on a short input.
 */
public record AllocationBound(long fixedBytes, long bytesPerInputByte) {

    public AllocationBound {
        if (fixedBytes < 0 || bytesPerInputByte < 0) {
            throw new IllegalArgumentException("a bound of " + fixedBytes + " + " + bytesPerInputByte + " per byte");
        }
    }

    public long limitFor(int inputLength) {
        return fixedBytes + bytesPerInputByte * inputLength;
    }

    @Override
    public String toString() {
        return Sizes.bytes(fixedBytes) + " + " + bytesPerInputByte + " B/B";
    }
}
