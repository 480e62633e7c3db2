package io.haul.strategy.vmread;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.haul.host.proc.Mapping;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskStateTest {

    private static final long P = VmReadPreCopy.PAGE;

    private static Mapping mapping(long firstPage, long pages) {
        return new Mapping(firstPage * P, (firstPage + pages) * P, "rw-p", 0, "");
    }

    private static void fill(TaskState state) {
        for (TaskState.Region region : state.regions()) {
            for (int i = 0; i < region.fingerprints.length; i++) {
                region.fingerprints[i] = region.start / P + i; // the page number, never 0 here
            }
        }
    }

    @Test
    void anUnchangedMappingKeepsItsFingerprints() {
        TaskState state = new TaskState(1, 1);
        state.remap(List.of(mapping(16, 4)));
        fill(state);
        long[] before = state.regions()[0].fingerprints;

        state.remap(List.of(mapping(16, 4)));

        assertSame(before, state.regions()[0].fingerprints);
    }

    @Test
    void fingerprintsFollowTheAddressesThroughGrowthSplitsAndMerges() {
        TaskState state = new TaskState(1, 1);
        state.remap(List.of(mapping(10, 4), mapping(14, 2), mapping(20, 3)));
        fill(state);

        // 10..16 merged into one and grown downwards, 20..23 split at 21 and grown at the end, 30 new
        state.remap(List.of(mapping(8, 8), mapping(20, 1), mapping(21, 4), mapping(30, 1)));

        TaskState.Region[] regions = state.regions();
        assertArrayEquals(new long[] {0, 0, 10, 11, 12, 13, 14, 15}, regions[0].fingerprints);
        assertArrayEquals(new long[] {20}, regions[1].fingerprints);
        assertArrayEquals(new long[] {21, 22, 0, 0}, regions[2].fingerprints);
        assertArrayEquals(new long[] {0}, regions[3].fingerprints);
    }
}
