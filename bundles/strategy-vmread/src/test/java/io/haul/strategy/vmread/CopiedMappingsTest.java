package io.haul.strategy.vmread;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.host.proc.Mapping;
import java.util.List;
import org.junit.jupiter.api.Test;

class CopiedMappingsTest {

    private static boolean copied(String line) {
        return CopiedMappings.copied(Mapping.parse(line).orElseThrow(() -> new AssertionError("not parsed: " + line)));
    }

    @Test
    void copiesPrivateWritableMemoryOnly() {
        assertTrue(copied("55d0c000-55d0e000 rw-p 00000000 00:00 0 [heap]"));
        assertTrue(copied("7ffd000-7fff000 rw-p 00000000 00:00 0 [stack]"));
        assertTrue(copied("7f00000-7f10000 rw-p 00000000 00:00 0"), "anonymous");
        assertTrue(copied("7f00000-7f10000 rw-p 0001c000 08:01 99 /usr/lib/libc.so.6"), "private file data");
        assertFalse(copied("7f00000-7f10000 rw-s 00000000 00:05 77 /dev/shm/x"), "shared");
        assertFalse(copied("7f00000-7f10000 r--p 00000000 08:01 99 /usr/lib/libc.so.6"), "read-only");
        assertFalse(copied("7f00000-7f10000 r-xp 00000000 08:01 99 /usr/lib/libc.so.6"), "code");
        assertFalse(copied("7f00000-7f10000 ---p 00000000 00:00 0"), "guard");
        assertFalse(copied("7f00000-7f10000 -w-p 00000000 00:00 0"), "not readable");
        assertFalse(copied("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]"));
        for (String special : List.of("[vvar]", "[vvar_vclock]", "[vdso]", "[vsyscall]")) {
            assertFalse(copied("7f00000-7f10000 rw-p 00000000 00:00 0 " + special), special);
        }
    }
}
