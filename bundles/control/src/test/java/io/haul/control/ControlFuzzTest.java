package io.haul.control;

import io.haul.fuzz.FuzzAssertions;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** A short fuzz run of the control socket's request decoder; {@code ./haul fuzz} runs a million inputs. */
class ControlFuzzTest {

    @Property(tries = 3000)
    void noRequestBreaksTheDecodersBounds(@ForAll("requests") byte[] request) {
        FuzzAssertions.assertWithinBounds(ControlFuzzTargets.REQUEST, request);
    }

    @Provide
    Arbitrary<byte[]> requests() {
        return ControlFuzzTargets.REQUEST.inputs();
    }
}
