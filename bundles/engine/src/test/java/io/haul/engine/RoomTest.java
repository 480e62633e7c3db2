package io.haul.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoomTest {

    @TempDir
    Path folder;

    @Test
    void imagesLargerThanTheFreeRoomAreRefusedWithBothFigures() {
        MigrationFailure failure = assertThrows(MigrationFailure.class,
                () -> Room.check("the destination", Long.MAX_VALUE / 4, folder));
        assertEquals("check.room", failure.code());
        assertTrue(failure.getMessage().startsWith("the destination has ") && failure.getMessage().contains("MiB free"),
                failure.getMessage());
    }

    @Test
    void smallImagesFit() throws MigrationFailure {
        Room.check("the destination", 1 << 20, folder);
    }
}
