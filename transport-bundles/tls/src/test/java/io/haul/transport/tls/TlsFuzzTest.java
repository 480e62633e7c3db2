package io.haul.transport.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haul.fuzz.FuzzAssertions;
import io.haul.fuzz.Outcome;
import java.nio.ByteBuffer;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** A short fuzz run of the TLS transport's control framing; {@code ./haul fuzz} runs a million inputs. */
class TlsFuzzTest {

    @Property(tries = 2000)
    void noStreamBreaksTheControlChannelsBounds(@ForAll("streams") byte[] stream) {
        FuzzAssertions.assertWithinBounds(TlsFuzzTargets.CONTROL_FRAMES, stream);
    }

    @Example
    void aHeaderClaimingFourMegabytesCostsNothingBeforeTheyCome() {
        byte[] stream = ByteBuffer.allocate(5).put((byte) 0).putInt(4 * 1024 * 1024).array(); // lead 0: no ack awaited
        var verdict = FuzzAssertions.assertWithinBounds(TlsFuzzTargets.CONTROL_FRAMES, stream);
        assertEquals(Outcome.DECODED, verdict.outcome());
    }

    @Provide
    Arbitrary<byte[]> streams() {
        return TlsFuzzTargets.CONTROL_FRAMES.inputs();
    }
}
