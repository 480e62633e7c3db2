package io.haul.criu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.HaulException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connection locks read from CRIU's dump log, carried beside the images, and checked where they arrive. */
class ConnectionLocksTest {

    @TempDir
    Path dir;

    @Test
    void theLockRulesOfADumpLogTravelBesideTheImagesAsTheyWere() throws Exception {
        Path log = dir.resolve("dump.log");
        Files.writeString(log, """
                (00.096274) tcp: Dumping TCP connection
                (00.096280) \tRunning iptables [iptables -w -t filter -I INPUT --protocol tcp -m mark ! --mark 0xC114 \
                --source 127.0.0.1 --sport 48898 --destination 127.0.0.1 --dport 44967 -j DROP]
                (00.100188) \tRunning iptables [ip6tables -w -t filter -I OUTPUT --protocol tcp -m mark ! --mark 0xC114 \
                --source ::1 --sport 44967 --destination ::1 --dport 48898 -j DROP]
                (00.215416) \tRunning iptables [iptables -w -t filter -D INPUT --protocol tcp -m mark ! --mark 0xC114 \
                --source 127.0.0.1 --sport 1 --destination 127.0.0.1 --dport 2 -j DROP]
                """);
        List<ConnectionLocks.Lock> logged = ConnectionLocks.loggedIn(log);
        assertEquals(2, logged.size(), "the two rules added, not the one deleted: " + logged);
        assertEquals(List.of("iptables", "-w", "-t", "filter", "-D", "INPUT", "--protocol", "tcp", "-m", "mark", "!",
                "--mark", "0xC114", "--source", "127.0.0.1", "--sport", "48898", "--destination", "127.0.0.1",
                "--dport", "44967", "-j", "DROP"), logged.getFirst().command("-D"));

        ConnectionLocks.writeBeside(log, dir);
        assertEquals(logged, ConnectionLocks.readBeside(dir));
    }

    @Test
    void aDumpWithoutConnectionsLeavesNoFileAndTheDestinationAddsNothing() throws Exception {
        Path log = Files.writeString(dir.resolve("dump.log"), "(00.01) Dumping finished successfully\n");
        ConnectionLocks.writeBeside(log, dir);
        assertTrue(Files.notExists(dir.resolve(ConnectionLocks.IMAGE)));
        assertEquals(List.of(), ConnectionLocks.readBeside(dir));
    }

    /** The file comes from the peer, and its fields become arguments of iptables: only the exact shape passes. */
    @Test
    void aLineThatIsNotALockIsRefusedWithTheLine() throws Exception {
        Files.writeString(dir.resolve(ConnectionLocks.IMAGE),
                "iptables INPUT 0xC114 127.0.0.1 1 127.0.0.1 2 -j ACCEPT\n");
        HaulException refused = assertThrows(HaulException.class, () -> ConnectionLocks.readBeside(dir));
        assertEquals("criu.restore-failed", refused.code());
        assertTrue(refused.getMessage().contains("-j ACCEPT"), refused.getMessage());
    }
}
