package io.haul.criu.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The FFM plumbing on its own: packets keep their boundaries, and a spawned child gets exactly fds 0-3. */
class LibcTest {

    @TempDir
    Path dir;

    @Test
    void seqpacketKeepsEachMessageWholeAndShowsTruncation() throws Exception {
        int[] pair = Libc.seqpacketPair();
        try (Arena arena = Arena.ofConfined()) {
            Libc.send(pair[0], arena.allocateFrom(ValueLayout.JAVA_BYTE, "one".getBytes(StandardCharsets.US_ASCII)));
            Libc.send(pair[0], arena.allocateFrom(ValueLayout.JAVA_BYTE, "second".getBytes(StandardCharsets.US_ASCII)));
            MemorySegment buffer = arena.allocate(64);
            MemorySegment small = arena.allocate(2);

            long first = Libc.recv(pair[1], buffer);
            assertArrayEquals("one".getBytes(StandardCharsets.US_ASCII),
                    buffer.asSlice(0, first).toArray(ValueLayout.JAVA_BYTE));
            assertEquals(6, Libc.recv(pair[1], small), "MSG_TRUNC: the packet's real length, larger than the buffer");

            assertTrue(!Libc.pollIn(pair[1], 0), "nothing more");
            Libc.closeQuietly(pair[0]);
            assertTrue(Libc.pollIn(pair[1], 0), "the peer's close shows");
            assertEquals(0, Libc.recv(pair[1], buffer), "and reads as end of stream");
        } finally {
            Libc.closeQuietly(pair[0]);
            Libc.closeQuietly(pair[1]);
        }
    }

    @Test
    void aSpawnedChildHasStdioAndTheGivenSocketOnly() throws Exception {
        Path output = dir.resolve("out");
        int[] pair = Libc.seqpacketPair();
        try {
            // ls, a child of the shell, lists the shell's descriptors: one a line, then the shell's session
            String script = "ls /proc/$$/fd; echo sid $(cut -d' ' -f6 /proc/$$/stat)";
            long pid = Libc.spawn(List.of("/bin/sh", "-c", script), List.of("PATH=/usr/bin:/bin"), pair[1], 3,
                    output.toString());
            ChildProcess child = ChildProcess.watch(pid, "test-shell");

            assertTrue(child.awaitExit(Duration.ofSeconds(10)));
            assertEquals("exit status 0", child.exitDescription());
            List<String> lines = Files.readAllLines(output);
            Set<String> fds = Set.copyOf(lines.subList(0, lines.size() - 1));
            assertEquals(Set.of("0", "1", "2", "3"), fds, "fds: " + fds);
            assertEquals("sid " + pid, lines.getLast(), "a session of its own");
            assertTrue(!child.signal(Libc.SIGKILL), "no signal after the reap");
        } finally {
            Libc.closeQuietly(pair[0]);
            Libc.closeQuietly(pair[1]);
        }
    }
}
