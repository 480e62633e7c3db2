package io.haul.transport.inprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.haul.api.transport.Transport;
import io.haul.fuzz.GeneratedCases;
import io.haul.fuzz.Generator;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The in-process transport has no bytes to decode (its frames are objects), only the length each claims, which
 * the receiver checks as a reader of a stream would: over every length, within the limit or not.
 */
class FramePipeTest {

    /** The lengths where a check is off by one or by a sign, each tried whatever the seed. */
    private static final List<Integer> EDGES = List.of(0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE,
            Transport.MAX_FRAME_BYTES - 1, Transport.MAX_FRAME_BYTES, Transport.MAX_FRAME_BYTES + 1);

    @Test
    void everyEdgeLengthIsTakenWithinTheLimitAndClosesThePipeOutsideIt() throws IOException {
        for (int claimed : EDGES) {
            claim(claimed);
        }
    }

    @Test
    void anyClaimedLengthIsTakenWithinTheLimitAndClosesThePipeOutsideIt() {
        GeneratedCases.check(1000, Generator.oneOf(Random::nextInt,
                random -> random.nextInt(Transport.MAX_FRAME_BYTES - 2, Transport.MAX_FRAME_BYTES + 3),
                Generator.of(EDGES.toArray(Integer[]::new))), FramePipeTest::claim);
    }

    private static void claim(int claimed) throws IOException {
        FramePipe pipe = new FramePipe();
        pipe.sendHeaderOnly(claimed);
        List<Integer> oversized = new ArrayList<>();
        if (claimed >= 0 && claimed <= Transport.MAX_FRAME_BYTES) {
            assertArrayEquals(new byte[0], pipe.receive(Duration.ZERO, oversized::add));
            assertEquals(List.of(), oversized);
        } else {
            IOException refused = assertThrows(IOException.class, () -> pipe.receive(Duration.ZERO, oversized::add));
            assertEquals(List.of(claimed), oversized);
            assertEquals(refused.getMessage(), assertThrows(IOException.class,
                    () -> pipe.receive(Duration.ZERO, oversized::add)).getMessage(), "the pipe stays closed");
            assertThrows(IOException.class, () -> pipe.send(new byte[1]), "its sender hears it");
        }
    }
}
