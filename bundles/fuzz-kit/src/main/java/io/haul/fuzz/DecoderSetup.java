package io.haul.fuzz;

/**
 * Makes what a decoder needs for one input (an empty folder, a page store, a stream over the bytes) before the
 * input is decoded, so that none of it counts as the decoder's allocation. Called once per input, on the
 * thread that then decodes.
 */
@FunctionalInterface
public interface DecoderSetup {

    Decoding prepare() throws Exception;

    /** A decoder that needs nothing prepared. */
    static DecoderSetup stateless(Decoding decoding) {
        return () -> decoding;
    }
}
