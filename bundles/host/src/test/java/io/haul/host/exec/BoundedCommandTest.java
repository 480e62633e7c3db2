package io.haul.host.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BoundedCommandTest {

    @Test
    void collectsOutputAndExitCode() throws Exception {
        BoundedCommand.Result result = BoundedCommand.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"),
                Duration.ofSeconds(10));

        assertEquals(3, result.exitCode());
        assertFalse(result.timedOut());
        assertTrue(result.output().contains("out") && result.output().contains("err"), result.output());
    }

    @Test
    void killsACommandThatOverrunsEvenWithAChildHoldingItsOutput() throws Exception {
        long started = System.nanoTime();

        BoundedCommand.Result result = BoundedCommand.run(List.of("sh", "-c", "echo started; sleep 60 & sleep 60"),
                Duration.ofMillis(300));

        assertTrue(result.timedOut());
        assertTrue(result.output().contains("started"), result.output());
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos());
    }

    @Test
    void stdinIsEmpty() throws Exception {
        BoundedCommand.Result result = BoundedCommand.run(List.of("sh", "-c", "cat; echo done"), Duration.ofSeconds(5));

        assertFalse(result.timedOut());
        assertEquals("done", result.output().strip());
    }

    @Test
    void keepsTheLastLinesWithinTheLimit() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            text.append("line ").append(i).append('\n');
        }

        String tail = BoundedCommand.lastLines(text.toString(), 100);

        assertTrue(tail.length() <= 110, tail);
        assertTrue(tail.endsWith("line 999"), tail);
        assertTrue(tail.startsWith("[...]\nline "), tail);
    }
}
