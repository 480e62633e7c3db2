package io.haul.host.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real process holding a lock and a FIFO, and one holding an ordinary file: what each shows. */
class OneKernelObjectsTest {

    @TempDir
    Path dir;

    @Test
    void aLockAndANamedFifoAreFoundWithTheirTaskAndPathAndAPlainFileIsNot() throws Exception {
        Path fifo = dir.resolve("queue");
        Path locked = dir.resolve("locked");
        Path plain = dir.resolve("plain");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(mkfifo.waitFor() == 0, "mkfifo is needed");
        // perl opens the FIFO read-write (no writer needed), locks one file, opens another, then says so
        Process holder = new ProcessBuilder("perl", "-e", """
                use Fcntl qw(:flock);
                open(my $f, '+<', $ARGV[0]) or die; open(my $l, '>', $ARGV[1]) or die; flock($l, LOCK_EX) or die;
                open(my $p, '>', $ARGV[2]) or die; $| = 1; print "ready\\n"; sleep 60;
                """, fifo.toString(), locked.toString(), plain.toString()).start();
        try {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream()))) {
                assertEquals("ready", out.readLine());
                List<String> found = OneKernelObjects.of(List.of(holder.pid()));
                assertEquals(2, found.size(), found.toString());
                assertTrue(found.contains("pid " + holder.pid() + " (perl) has the named FIFO " + fifo + " open"),
                        found.toString());
                assertTrue(found.contains("pid " + holder.pid() + " (perl) holds a flock on " + locked), found.toString());
            }
        } finally {
            holder.destroyForcibly();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
        assertEquals(List.of(), OneKernelObjects.of(List.of(holder.pid())), "a task that ended holds nothing");
        assertTrue(Files.exists(plain));
    }

    /** ./haul corpus's pty program: plain CRIU moved it, Haul failed its restore in the frozen window. */
    @Test
    void aPseudoTerminalMasterIsFoundWithItsIndex() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/ptmx")), "/dev/ptmx is needed");
        Process holder = new ProcessBuilder("perl", "-e", """
                open(my $m, '+<', '/dev/ptmx') or die "ptmx: $!"; $| = 1; print "ready\\n"; sleep 60;
                """).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream()))) {
            assertEquals("ready", out.readLine());
            List<String> found = OneKernelObjects.of(List.of(holder.pid()));
            assertEquals(1, found.size(), found.toString());
            assertTrue(found.get(0).matches("pid " + holder.pid() + " \\(perl\\) has the pseudo-terminal master "
                    + "/dev/(pts/)?ptmx open \\(pty \\d+\\)"), found.toString());
        } finally {
            holder.destroyForcibly();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theBootIdNamesThisKernel() {
        assertTrue(OneKernelObjects.bootId().matches("[0-9a-f-]{36}"), OneKernelObjects.bootId());
    }
}
