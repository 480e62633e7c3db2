package io.haul.pages;

import io.haul.fuzz.FuzzAssertions;
import org.junit.jupiter.api.Test;

/** A short fuzz run of each page stream reader; {@code ./haul fuzz} runs a million inputs each. */
class PagesFuzzTest {

    @Test
    void noPushStreamBreaksTheReadersBounds() {
        FuzzAssertions.assertBoundsHold(PagesFuzzTargets.PUSH_STREAM, 2000);
    }

    @Test
    void noRecipeBreaksTheRebuildsBounds() {
        FuzzAssertions.assertBoundsHold(PagesFuzzTargets.RECIPE, 2000);
    }
}
