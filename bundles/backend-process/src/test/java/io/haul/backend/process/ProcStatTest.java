package io.haul.backend.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ProcStatTest {

    @Test
    void plainLine() {
        ProcStat stat = ProcStat.parse("7224 (sh) S 7222 7220 4375 0 -1 4194560 80 0 0 0 0 0 0 0 20");
        assertEquals(new ProcStat(7224, "sh", 'S', 7222, 7220, 4375), stat);
    }

    @Test
    void commWithSpacesAndParentheses() {
        // a process may name itself anything: "a) S 1 2 3 (b" must not shift the fields
        ProcStat stat = ProcStat.parse("42 (a) S 1 2 3 (b) R 10 11 12 0 -1 4194560");
        assertEquals("a) S 1 2 3 (b", stat.comm());
        assertEquals('R', stat.state());
        assertEquals(10, stat.ppid());
        assertEquals(11, stat.pgrp());
        assertEquals(12, stat.session());
    }

    @Test
    void emptyComm() {
        assertEquals(5, ProcStat.parse("9 () Z 1 5 5 0").session());
    }

    @Test
    void malformedLinesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ProcStat.parse(""));
        assertThrows(IllegalArgumentException.class, () -> ProcStat.parse("42 sh S 1 2 3"));
        assertThrows(IllegalArgumentException.class, () -> ProcStat.parse("42 (sh) S 1"));
        assertThrows(IllegalArgumentException.class, () -> ProcStat.parse("42 (sh) S x 2 3"));
    }
}
