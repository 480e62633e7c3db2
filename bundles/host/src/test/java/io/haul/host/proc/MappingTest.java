package io.haul.host.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MappingTest {

    private static Mapping parse(String line) {
        return Mapping.parse(line).orElseThrow(() -> new AssertionError("not parsed: " + line));
    }

    @Test
    void parsesALineOfMaps() {
        Mapping m = parse("7f12a4000000-7f12a4021000 rw-p 00001000 08:01 1234    /usr/lib/my lib.so (deleted)");

        assertEquals(0x7f12a4000000L, m.start());
        assertEquals(0x7f12a4021000L, m.end());
        assertEquals("rw-p", m.permissions());
        assertEquals(0x1000, m.offset());
        assertEquals("/usr/lib/my lib.so (deleted)", m.path());
        assertEquals(0x21000, m.bytes());
        assertTrue(m.readable() && m.writable() && m.privateMapping() && !m.kernelArea());
        assertFalse(parse("7f00000-7f10000 r--s 00000000 00:05 77 /dev/shm/x").privateMapping());
        assertTrue(parse("7f00000-7f10000 r--p 00000000 00:00 0 [vdso]").kernelArea());
    }

    @Test
    void ignoresWhatIsNotALineOfMaps() {
        assertTrue(Mapping.parse("").isEmpty());
        assertTrue(Mapping.parse("nonsense").isEmpty());
        assertTrue(Mapping.parse("zz-1000 rw-p 0 00:00 0").isEmpty());
    }

    @Test
    void readsThisProcessMappings() throws Exception {
        assertTrue(Mapping.of(ProcessHandle.current().pid()).stream().anyMatch(m -> m.path().equals("[stack]")));
    }
}
