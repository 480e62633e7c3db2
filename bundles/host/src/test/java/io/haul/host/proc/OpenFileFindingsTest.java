package io.haul.host.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real process holding a POSIX message queue, eventfds, timerfds and inotify instances in the states that
 * matter (fd-holder.c, compiled with the machine's cc): what CRIU cannot dump and what it would restore with
 * state lost is found, with its task and fd, and nothing else of them is.
 */
class OpenFileFindingsTest {

    @TempDir
    Path dir;
    private Process holder;
    private final Map<String, Integer> fds = new HashMap<>();

    @BeforeEach
    void startTheHolder() throws Exception {
        Path source = dir.resolve("fd-holder.c");
        try (InputStream in = OpenFileFindingsTest.class.getResourceAsStream("fd-holder.c")) {
            Files.copy(in, source);
        }
        Path binary = dir.resolve("fd-holder");
        Process cc;
        try {
            cc = new ProcessBuilder("cc", "-o", binary.toString(), source.toString(), "-lrt").inheritIO().start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "a C compiler (cc) is needed to make the holder: " + e.getMessage());
            return;
        }
        assumeTrue(cc.waitFor() == 0, "cc could not compile fd-holder.c");
        Path watched = Files.createDirectory(dir.resolve("watched"));
        holder = new ProcessBuilder(binary.toString(), watched.toString()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream()));
        for (String pair : out.readLine().split(" ")) {
            String[] nameAndFd = pair.split("=");
            fds.put(nameAndFd[0], Integer.parseInt(nameAndFd[1]));
        }
        assertEquals("ready", out.readLine());
        assumeTrue(fds.get("mq") >= 0, "POSIX message queues are needed (mq_open failed)");
    }

    @AfterEach
    void stopTheHolder() throws Exception {
        if (holder != null) {
            holder.destroyForcibly();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aMessageQueueIsOnAMountNoNamespaceOfTheTreeHas() {
        List<String> found = FilesOutsideMounts.of(List.of(holder.pid()), List.of());

        assertEquals(1, found.size(), found.toString());
        String prefix = "pid " + holder.pid() + " (fd-holder) fd " + fds.get("mq") + " (/haul-fd-holder-";
        assertTrue(found.get(0).startsWith(prefix), found.get(0));
        assertTrue(found.get(0).contains("a POSIX message queue") && found.get(0).contains("Can't lookup mount=")
                && found.get(0).contains("close it (mq_close)"), found.get(0));
    }

    @Test
    void anExternalFileIsCriusToSkipNotOurs() throws Exception {
        Path fd = Path.of("/proc", Long.toString(holder.pid()), "fdinfo", Integer.toString(fds.get("mq")));
        Map<String, String> info = OpenFd.parse(Files.readString(fd));
        String external = "file[" + Long.toHexString(Long.parseLong(info.get("mnt_id"))) + ":"
                + Long.toHexString(Long.parseLong(info.get("ino"))) + "]";

        assertEquals(List.of(), FilesOutsideMounts.of(List.of(holder.pid()), List.of(external)));
    }

    @Test
    void theSemaphoreEventfdTheExpiredPeriodicTimerAndTheQueuedInotifyAreFoundAndNothingElse() {
        List<String> found = StateCriuLoses.of(List.of(holder.pid()));

        String task = "pid " + holder.pid() + " (fd-holder) fd ";
        assertEquals(3, found.size(), found.toString());
        assertTrue(found.get(0).startsWith(task + fds.get("sem") + " (anon_inode:[eventfd]): an eventfd in semaphore "
                + "mode (EFD_SEMAPHORE) holding 3;"), found.get(0));
        assertTrue(found.get(1).startsWith(task + fds.get("periodic") + " (anon_inode:[timerfd]): a periodic timerfd "
                + "(every 10 ms) that expired 1 time(s)"), found.get(1));
        assertTrue(found.get(1).contains("restores it disarmed"), found.get(1));
        assertTrue(found.get(2).startsWith(task + fds.get("queued") + " (anon_inode:inotify): an inotify instance with "),
                found.get(2));
        assertTrue(found.get(2).contains("bytes of events queued") && found.get(2).contains("not its queue"),
                found.get(2));
    }

    @Test
    void aTaskThatEndedHoldsNothing() throws Exception {
        holder.destroyForcibly();
        holder.waitFor(10, TimeUnit.SECONDS);

        assertEquals(List.of(), StateCriuLoses.of(List.of(holder.pid())));
        assertEquals(List.of(), FilesOutsideMounts.of(List.of(holder.pid()), List.of()));
    }
}
