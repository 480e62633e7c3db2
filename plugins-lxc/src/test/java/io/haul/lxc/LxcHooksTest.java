package io.haul.lxc;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.HaulException;
import org.junit.jupiter.api.Test;

class LxcHooksTest {

    @Test
    void aHookProgramThisHostHasPasses() {
        assertDoesNotThrow(() -> LxcHooks.checkHere(LxcConfig.parse("""
                lxc.hook.version = 1
                lxc.hook.pre-start = /bin/sh -c true
                """), "lxc:web"));
    }

    @Test
    void aHookProgramThisHostLacksIsRefusedNamingTheKey() {
        HaulException refused = assertThrows(HaulException.class, () -> LxcHooks.checkHere(LxcConfig.parse(
                "lxc.hook.start-host = /var/lib/lxc/web/hooks/route\n"), "lxc:web"));
        assertEquals("check.hook", refused.code());
        assertTrue(refused.getMessage().contains("lxc.hook.start-host program /var/lib/lxc/web/hooks/route"),
                refused.getMessage());
    }
}
