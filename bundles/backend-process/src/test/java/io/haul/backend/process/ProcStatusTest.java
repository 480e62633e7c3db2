package io.haul.backend.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProcStatusTest {

    @Test
    void nestedNamespaceLines() {
        ProcStatus status = ProcStatus.parse("""
                Name:\tsh
                Tgid:\t7249
                PPid:\t7247
                Uid:\t1000\t0\t0\t0
                NStgid:\t7249\t1
                NSpid:\t7249\t1
                NSpgid:\t7249\t1
                NSsid:\t7249\t1
                VmRSS:\t    1932 kB
                """);
        assertEquals(7249, status.tgid());
        assertEquals(7247, status.ppid());
        assertEquals(0, status.effectiveUid());
        assertEquals(List.of(7249L, 1L), status.nsPid());
        assertEquals(1, status.innermostPid());
        assertEquals(1, status.innermostSid());
        assertEquals(1932 * 1024, status.rssBytes());
    }

    @Test
    void oldKernelWithoutNsLinesIsUnknown() {
        ProcStatus status = ProcStatus.parse("Name:\tsh\nTgid:\t5\nPPid:\t1\n");
        assertNull(status.nsPid());
        assertEquals(-1, status.innermostPid());
        assertEquals(-1, status.innermostSid());
        assertEquals(-1, status.effectiveUid());
    }

    @Test
    void kernelThreadHasNoRss() {
        assertEquals(0, ProcStatus.parse("Name:\tkthreadd\nTgid:\t2\nNSpid:\t2\n").rssBytes());
    }

    @Test
    void garbledNumbersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ProcStatus.parse("NSpid:\t12 x\n"));
    }
}
