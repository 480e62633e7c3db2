package io.haul.control;

import io.haul.fuzz.FuzzAssertions;
import org.junit.jupiter.api.Test;

/** A short fuzz run of the control socket's request decoder; {@code ./haul fuzz} runs a million inputs. */
class ControlFuzzTest {

    @Test
    void noRequestBreaksTheDecodersBounds() {
        FuzzAssertions.assertBoundsHold(ControlFuzzTargets.REQUEST, 3000);
    }
}
