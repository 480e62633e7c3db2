package io.haul.protocol;

import io.haul.fuzz.AllocationBound;
import io.haul.fuzz.DecoderSetup;
import io.haul.fuzz.Decoding;
import io.haul.fuzz.FuzzInputs;
import io.haul.fuzz.FuzzTarget;
import io.haul.fuzz.FuzzTargets;
import io.haul.fuzz.TypedErrors;
import io.haul.protocol.v1.Envelope;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** The protocol bundle's decoders: control frames, the handshake's version choice, and the bulk image stream. */
public final class ProtocolFuzzTargets implements FuzzTargets {

    /**
     * A frame's decode: what protobuf makes of its bytes (strings as UTF-16 and Latin-1, map entries, unknown
     * fields kept) is a few times the frame; 64 KiB covers the exception and its message.
     */
    static final FuzzTarget ENVELOPE = new FuzzTarget("protocol.envelope",
            FuzzInputs.around(random -> EnvelopeGenerators.envelope(random).toByteArray(), 4096),
            DecoderSetup.stateless(Frames::decode), TypedErrors.of(ProtocolException.class),
            new AllocationBound(64 * 1024, 16));

    /** The destination's side of the handshake: a frame that must be a Hello, and the version chosen for it. */
    static final FuzzTarget HANDSHAKE = new FuzzTarget("protocol.handshake",
            FuzzInputs.around(random -> EnvelopeGenerators.handshake(random).toByteArray(), 1024),
            DecoderSetup.stateless(ProtocolFuzzTargets::negotiate), TypedErrors.of(ProtocolException.class),
            new AllocationBound(64 * 1024, 16));

    /**
     * A receive into an empty folder: its 1 MiB copy buffer, then per file its header (at most 4 KiB), a
     * digest and an open file; files cost at least 6 bytes of input each, hence the share per byte.
     */
    static final FuzzTarget IMAGE_STREAM = new FuzzTarget("protocol.image-stream",
            FuzzInputs.around(ImageStreamGenerators::stream, 4096), ImageStreamTrial::new,
            TypedErrors.of(ProtocolException.class, EOFException.class), new AllocationBound((1 << 20) + 64 * 1024, 512));

    @Override
    public List<FuzzTarget> targets() {
        return List.of(ENVELOPE, HANDSHAKE, IMAGE_STREAM);
    }

    /** As the destination does with the first frame; the version chosen must be one both sides speak. */
    static int negotiate(byte[] frame) throws ProtocolException {
        Envelope hello = Frames.expect(Frames.decode(frame), Envelope.BodyCase.HELLO);
        int peerMin = hello.getHello().getMinVersion();
        int peerMax = hello.getHello().getMaxVersion();
        int chosen = Versions.negotiate(peerMin, peerMax);
        if (chosen < Versions.MIN || chosen > Versions.MAX || Integer.compareUnsigned(chosen, peerMin) < 0
                || Integer.compareUnsigned(chosen, peerMax) > 0) {
            throw new AssertionError("chose version " + chosen + " for a peer of versions "
                    + Integer.toUnsignedString(peerMin) + " to " + Integer.toUnsignedString(peerMax));
        }
        return chosen;
    }

    /**
     * One receive into a fresh, empty folder inside a scratch folder; closing it checks that nothing landed
     * beside the folder ('../' names) and removes it.
     */
    static final class ImageStreamTrial implements Decoding {

        private static final Path SCRATCH = scratch();

        private final Path folder;

        ImageStreamTrial() throws IOException {
            folder = Files.createTempDirectory(SCRATCH, "images-");
        }

        @Override
        public void decode(byte[] input) throws IOException {
            ImageStream.receive(new ByteArrayInputStream(input), folder, ImageStreamGenerators.ALLOWANCE,
                    TransferProgress.NONE, new LengthPrefixedPageImages());
        }

        @Override
        public void close() throws IOException {
            try (Stream<Path> files = Files.walk(folder)) {
                files.sorted(Comparator.reverseOrder()).forEach(ImageStreamTrial::delete);
            }
            try (Stream<Path> beside = Files.list(SCRATCH)) {
                List<Path> escaped = beside.toList();
                if (!escaped.isEmpty()) {
                    throw new AssertionError("an image stream wrote outside its folder: " + escaped);
                }
            }
        }

        private static void delete(Path path) {
            try {
                Files.delete(path);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static Path scratch() {
            try {
                Path scratch = Files.createTempDirectory("haul-fuzz-images-");
                scratch.toFile().deleteOnExit();
                return scratch;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
