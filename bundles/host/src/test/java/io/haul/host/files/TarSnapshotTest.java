package io.haul.host.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.haul.api.HaulException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarSnapshotTest {

    @TempDir
    Path dir;

    @Test
    void theDumpsStartTimeMovesBackByTheMarginAndTheFoldersStay() throws Exception {
        Path snapshot = dir.resolve("s.snar");
        Files.write(snapshot, "GNU tar-1.34-2\n1796294703\u0000362395581\u00000\u0000rest\u0000"
                .getBytes(StandardCharsets.US_ASCII));

        TarSnapshot.backdate(snapshot);

        assertEquals("GNU tar-1.34-2\n1796294703\u0000312395581\u00000\u0000rest\u0000",
                Files.readString(snapshot, StandardCharsets.US_ASCII));
    }

    @Test
    void aFormatItDoesNotKnowIsRefusedNotRewritten() throws Exception {
        Path snapshot = dir.resolve("old.snar");
        Files.writeString(snapshot, "GNU tar-1.20-1\n1796294703\n");
        HaulException e = assertThrows(HaulException.class, () -> TarSnapshot.backdate(snapshot));
        assertEquals("file.pack", e.code());
        assertEquals("GNU tar-1.20-1\n1796294703\n", Files.readString(snapshot));
        Path early = dir.resolve("early.snar");
        Files.write(early, "GNU tar-1.34-2\n1796294703\u0000012395581\u0000".getBytes(StandardCharsets.US_ASCII));
        TarSnapshot.backdate(early); // across a second's boundary
        assertEquals("GNU tar-1.34-2\n1796294702\u0000962395581\u0000", Files.readString(early));
    }
}
