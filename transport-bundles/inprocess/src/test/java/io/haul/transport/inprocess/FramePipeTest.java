package io.haul.transport.inprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.haul.api.transport.Transport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The in-process transport has no bytes to decode (its frames are objects), only the length each claims, which
 * the receiver checks as a reader of a stream would: over every length, within the limit or not.
 */
class FramePipeTest {

    @Property(tries = 1000)
    void aClaimedLengthIsTakenWithinTheLimitAndClosesThePipeOutsideIt(@ForAll("claims") int claimed) throws IOException {
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

    @Provide
    Arbitrary<Integer> claims() {
        return Arbitraries.oneOf(Arbitraries.integers(),
                Arbitraries.integers().between(Transport.MAX_FRAME_BYTES - 2, Transport.MAX_FRAME_BYTES + 2),
                Arbitraries.of(0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE));
    }
}
