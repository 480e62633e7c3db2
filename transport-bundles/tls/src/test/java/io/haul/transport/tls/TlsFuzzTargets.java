package io.haul.transport.tls;

import io.haul.api.transport.Transport;
import io.haul.fuzz.AllocationBound;
import io.haul.fuzz.Decoding;
import io.haul.fuzz.FuzzInputs;
import io.haul.fuzz.FuzzTarget;
import io.haul.fuzz.FuzzTargets;
import io.haul.fuzz.TypedErrors;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** The TLS transport's decoder: the control connection's framing, as {@link ControlChannel} reads it. */
public final class TlsFuzzTargets implements FuzzTargets {

    /**
     * The channel's pending bytes (each read copied, the buffer grown by doubling) and the frames it takes out;
     * the plain reading it is compared with copies the frames again. A header that claims 4 MiB must cost
     * nothing until the 4 MiB are there.
     */
    static final FuzzTarget CONTROL_FRAMES = new FuzzTarget("tls.control-frames",
            FuzzInputs.around(ControlStreamGenerators::stream, 4096), ControlChannelTrial::new,
            TypedErrors.of(Violation.class), new AllocationBound(64 * 1024, 32));

    @Override
    public List<FuzzTarget> targets() {
        return List.of(CONTROL_FRAMES);
    }

    /**
     * One control connection fed an input: its first byte says whether the channel awaits the server's
     * answer first (odd) and seeds the sizes of the reads the rest arrives in (1 byte to 96 KiB each). What the
     * channel queues and reports must be what {@link ControlFraming} reads from the whole. The channel itself
     * never throws: a broken peer is a violation it reports, which the trial throws as a {@link Violation}
     * (the refusal), after the frames before it were checked; any other throwable is a crash.
     */
    static final class ControlChannelTrial implements Decoding {

        private final FakeNetSocket socket = new FakeNetSocket();
        private final List<String> events = new ArrayList<>();
        private final String[] violation = new String[1];

        @Override
        public void decode(byte[] input) throws Exception {
            if (input.length == 0) {
                return;
            }
            boolean awaitingAck = (input[0] & 1) == 1;
            ControlChannel channel = new ControlChannel(socket.socket(), awaitingAck, new Recorder(events, violation), null);
            Random reads = new Random(input[0]);
            for (int at = 1; at < input.length; ) {
                int to = Math.min(input.length, at + 1 + reads.nextInt(reads.nextBoolean() ? 16 : 96 * 1024));
                socket.arrive(input, at, to);
                at = to;
            }
            // frames go to the inbox, the rest to the events: each in its order, compared apart
            List<String> expected = ControlFraming.events(java.util.Arrays.copyOfRange(input, 1, input.length), awaitingAck);
            List<String> frames = new ArrayList<>();
            for (byte[] frame = poll(channel); frame != null; frame = poll(channel)) {
                frames.add(ControlFraming.frame(frame));
            }
            List<String> expectedFrames = expected.stream().filter(e -> e.startsWith("frame ")).toList();
            List<String> expectedEvents = expected.stream().filter(e -> !e.startsWith("frame ")).toList();
            if (!frames.equals(expectedFrames) || !events.equals(expectedEvents)) {
                throw new AssertionError("the channel read " + frames + " and " + events + " where the stream holds "
                        + expected);
            }
            if (violation[0] != null) {
                throw new Violation(violation[0]);
            }
        }

        /** The next frame in the channel's inbox, or null when it holds no more. */
        private static byte[] poll(ControlChannel channel) throws java.io.IOException {
            try {
                byte[] frame = channel.receive(Duration.ZERO);
                if (frame.length > Transport.MAX_FRAME_BYTES) {
                    throw new AssertionError("a frame of " + frame.length + " bytes passed the limit");
                }
                return frame;
            } catch (SocketTimeoutException e) {
                return null;
            }
        }
    }

    /** A violation the channel reported: the trial's refusal. */
    static final class Violation extends Exception {

        private static final long serialVersionUID = 1L;

        Violation(String reason) {
            super(reason);
        }
    }

    /** What the channel reports besides frames, in order, and the reason of its violation. */
    private record Recorder(List<String> events, String[] violation) implements ChannelEvents {

        @Override
        public void accepted() {
            events.add("accepted");
        }

        @Override
        public void bulkEnd(long total) {
            events.add("bulk-end " + total);
        }

        @Override
        public void violation(String reason) {
            events.add("violation");
            violation[0] = reason;
        }

        @Override
        public void controlClosed() {
        }

        @Override
        public void bulkClosed() {
        }
    }
}
