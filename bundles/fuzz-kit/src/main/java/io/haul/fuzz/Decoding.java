package io.haul.fuzz;

/**
 * One decode, prepared by a {@link DecoderSetup}: runs the decoder on an input, then gives back what it was
 * given (a folder, a store) when closed. What the decoder returns does not matter here, only how it ends.
 */
@FunctionalInterface
public interface Decoding extends AutoCloseable {

    void decode(byte[] input) throws Exception;

    @Override
    default void close() throws Exception {
    }
}
