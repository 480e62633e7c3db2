package io.haul.docker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.Usability;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** runc's CRIU configuration carries established connections only with its own line, and says how to get it. */
class RuncTcpOptionTest {

    @TempDir
    Path dir;

    @Test
    void theLineAmongOthersTurnsItOn() throws Exception {
        Path conf = Files.writeString(dir.resolve("runc.conf"), "action-script /opt/haul/hooks/haul-hold\n"
                + "  tcp-established \n");
        assertTrue(RuncTcpOption.check(conf).usable());
    }

    @Test
    void withoutItOrWithoutTheFileTheReasonNamesTheFileAndTheWayOut() throws Exception {
        Path conf = Files.writeString(dir.resolve("runc.conf"), "action-script /opt/haul/hooks/haul-hold\n"
                + "# tcp-established\n");
        Usability off = RuncTcpOption.check(conf);
        assertFalse(off.usable());
        assertTrue(off.reason().contains(conf.toString()) && off.reason().contains("./haul setup"), off.reason());
        Usability missing = RuncTcpOption.check(dir.resolve("none.conf"));
        assertFalse(missing.usable());
        assertTrue(missing.reason().contains("none.conf"), missing.reason());
    }
}
