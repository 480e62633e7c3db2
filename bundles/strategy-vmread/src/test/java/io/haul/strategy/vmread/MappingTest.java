package io.haul.strategy.vmread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
        assertEquals(0x21, m.pages());
    }

    @Test
    void copiesPrivateWritableMemoryOnly() {
        assertTrue(parse("55d0c000-55d0e000 rw-p 00000000 00:00 0 [heap]").copied());
        assertTrue(parse("7ffd000-7fff000 rw-p 00000000 00:00 0 [stack]").copied());
        assertTrue(parse("7f00000-7f10000 rw-p 00000000 00:00 0").copied(), "anonymous");
        assertTrue(parse("7f00000-7f10000 rw-p 0001c000 08:01 99 /usr/lib/libc.so.6").copied(), "private file data");
        assertFalse(parse("7f00000-7f10000 rw-s 00000000 00:05 77 /dev/shm/x").copied(), "shared");
        assertFalse(parse("7f00000-7f10000 r--p 00000000 08:01 99 /usr/lib/libc.so.6").copied(), "read-only");
        assertFalse(parse("7f00000-7f10000 r-xp 00000000 08:01 99 /usr/lib/libc.so.6").copied(), "code");
        assertFalse(parse("7f00000-7f10000 ---p 00000000 00:00 0").copied(), "guard");
        assertFalse(parse("7f00000-7f10000 -w-p 00000000 00:00 0").copied(), "not readable");
        assertFalse(parse("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]").copied());
        for (String special : List.of("[vvar]", "[vvar_vclock]", "[vdso]", "[vsyscall]")) {
            assertFalse(parse("7f00000-7f10000 rw-p 00000000 00:00 0 " + special).copied(), special);
        }
    }

    @Test
    void ignoresWhatIsNotALineOfMaps() {
        assertTrue(Mapping.parse("").isEmpty());
        assertTrue(Mapping.parse("nonsense").isEmpty());
        assertTrue(Mapping.parse("zz-1000 rw-p 0 00:00 0").isEmpty());
    }
}
