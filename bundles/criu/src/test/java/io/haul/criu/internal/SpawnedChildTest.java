package io.haul.criu.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.host.linux.Processes;
import io.haul.host.linux.Sockets;
import io.haul.host.linux.Syscalls;
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
class SpawnedChildTest {

    @TempDir
    Path dir;

    @Test
    void seqpacketKeepsEachMessageWholeAndShowsTruncation() throws Exception {
        int[] pair = Sockets.seqpacketPair();
        try (Arena arena = Arena.ofConfined()) {
            Sockets.send(pair[0], arena.allocateFrom(ValueLayout.JAVA_BYTE, "one".getBytes(StandardCharsets.US_ASCII)));
            Sockets.send(pair[0], arena.allocateFrom(ValueLayout.JAVA_BYTE, "second".getBytes(StandardCharsets.US_ASCII)));
            MemorySegment buffer = arena.allocate(64);
            MemorySegment small = arena.allocate(2);

            long first = Sockets.recv(pair[1], buffer);
            assertArrayEquals("one".getBytes(StandardCharsets.US_ASCII),
                    buffer.asSlice(0, first).toArray(ValueLayout.JAVA_BYTE));
            assertEquals(6, Sockets.recv(pair[1], small), "MSG_TRUNC: the packet's real length, larger than the buffer");

            assertTrue(!Sockets.pollIn(pair[1], 0), "nothing more");
            Syscalls.closeQuietly(pair[0]);
            assertTrue(Sockets.pollIn(pair[1], 0), "the peer's close shows");
            assertEquals(0, Sockets.recv(pair[1], buffer), "and reads as end of stream");
        } finally {
            Syscalls.closeQuietly(pair[0]);
            Syscalls.closeQuietly(pair[1]);
        }
    }

    @Test
    void aSpawnedChildHasStdioAndTheGivenSocketOnly() throws Exception {
        Path output = dir.resolve("out");
        int[] pair = Sockets.seqpacketPair();
        try {
            // ls, a child of the shell, lists the shell's descriptors: one a line, then the shell's session
            String script = "ls /proc/$$/fd; echo sid $(cut -d' ' -f6 /proc/$$/stat)";
            long pid = Processes.spawn(List.of("/bin/sh", "-c", script), List.of("PATH=/usr/bin:/bin"), pair[1], 3,
                    output.toString());
            ChildProcess child = ChildProcess.watch(pid, "test-shell");

            assertTrue(child.awaitExit(Duration.ofSeconds(10)));
            assertEquals("exit status 0", child.exitDescription());
            List<String> lines = Files.readAllLines(output);
            Set<String> fds = Set.copyOf(lines.subList(0, lines.size() - 1));
            assertEquals(Set.of("0", "1", "2", "3"), fds, "fds: " + fds);
            assertEquals("sid " + pid, lines.getLast(), "a session of its own");
            assertTrue(!child.signal(Processes.SIGKILL), "no signal after the reap");
        } finally {
            Syscalls.closeQuietly(pair[0]);
            Syscalls.closeQuietly(pair[1]);
        }
    }
}
