package io.haul.host.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TaskStatTest {

    @Test
    void readsACommandNameWithSpacesAndParentheses() {
        TaskStat stat = TaskStat.parse(101, "101 (we) S 1 2 3 (ird) S 7 101 101 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 "
                + "5551 1000 10 18446744073709551615");
        assertEquals("we) S 1 2 3 (ird", stat.comm());
        assertEquals('S', stat.state());
        assertEquals(7, stat.ppid());
        assertEquals(5551, stat.startTicks());
    }

    @Test
    void describesThisProcess() {
        long me = ProcessHandle.current().pid();
        assertTrue(TaskStat.describe(me).startsWith("pid " + me + " ("), TaskStat.describe(me));
        assertEquals("pid " + Integer.MAX_VALUE, TaskStat.describe(Integer.MAX_VALUE));
    }
}
