package io.haul.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SourceTreeTest {

    @Test
    void recognisesThisVeryProcessAndNotAnotherWithItsPid() {
        SourceTree me = SourceTree.of(ProcessHandle.current().pid()).orElseThrow();
        assertTrue(me.stillRuns());
        assertEquals(me, SourceTree.parse(me.remembered()).orElseThrow());
        SourceTree reused = new SourceTree(me.rootPid(), me.startTime() + "1");
        assertFalse(reused.stillRuns(), "a pid started at another time is another process");
    }

    @Test
    void aGoneProcessDoesNotRun() {
        assertFalse(new SourceTree(Integer.MAX_VALUE, "1").stillRuns());
        assertTrue(SourceTree.parse("garbage").isEmpty());
    }
}
