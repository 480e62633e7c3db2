package io.haul.pages;

import io.haul.fuzz.FuzzAssertions;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** A short fuzz run of each page stream reader; {@code ./haul fuzz} runs a million inputs each. */
class PagesFuzzTest {

    @Property(tries = 2000)
    void noPushStreamBreaksTheReadersBounds(@ForAll("pushes") byte[] stream) {
        FuzzAssertions.assertWithinBounds(PagesFuzzTargets.PUSH_STREAM, stream);
    }

    @Property(tries = 2000)
    void noRecipeBreaksTheRebuildsBounds(@ForAll("recipes") byte[] recipe) {
        FuzzAssertions.assertWithinBounds(PagesFuzzTargets.RECIPE, recipe);
    }

    @Provide
    Arbitrary<byte[]> pushes() {
        return PagesFuzzTargets.PUSH_STREAM.inputs();
    }

    @Provide
    Arbitrary<byte[]> recipes() {
        return PagesFuzzTargets.RECIPE.inputs();
    }
}
