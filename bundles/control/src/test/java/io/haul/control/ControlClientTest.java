package io.haul.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlClientTest {

    @TempDir
    Path dir;

    @Test
    void withoutAnAgentItSaysInOneLineHowToStartOne() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ControlClient.run(dir.resolve("control.sock"), List.of("check"), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(ControlClient.NO_AGENT, status);
        assertEquals(1, message.strip().lines().count(), message);
        assertTrue(message.contains("./haul agent"), message);
    }

    @Test
    void aStaleSocketFileWithNobodyListeningIsReportedAsNoAgent() throws Exception {
        Path stale = Files.createFile(dir.resolve("control.sock"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ControlClient.run(stale, List.of("check"), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(ControlClient.NO_AGENT, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("./haul agent"), err.toString(StandardCharsets.UTF_8));
    }
}
