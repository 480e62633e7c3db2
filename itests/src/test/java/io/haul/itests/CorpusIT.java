package io.haul.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.haul.itests.Requirements.HostNeeds;
import io.haul.itests.Requirements.Need;
import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The corpus's fast form (issue #17; the whole corpus, beside plain CRIU, is {@code ./haul corpus}): a handful of
 * the quick programs of {@code runtime/corpus/kinds}, each moved from hostA to hostB with
 * {@code ./haul migrate}, each then checking its own kernel object and saying PASS or FAIL with the reason; and the
 * kinds Haul refuses, refused before the freeze with the program running on and intact: on one kernel (a named
 * FIFO, a pty), what CRIU cannot dump (a POSIX message queue) and what it would restore with state lost (a
 * periodic timerfd that expired unread, a semaphore eventfd, an inotify instance with an event queued).
 * Hosts corpitA/corpitB on 169.254.97.0/24 (the runner's are corpusA/corpusB there).
 */
@HostNeeds({Need.ROOT, Need.UNSHARE, Need.CRIU})
public class CorpusIT {

    private static final double MIGRATE_SECONDS = 180;
    private static TwoHostCluster cluster;

    @BeforeClass
    public static void startCluster() throws Exception {
        boolean compiler = Commands.which("cc") != null;
        if (!compiler) {
            System.out.println("CorpusIT: skipped, no C compiler (cc; package gcc) to build the corpus's programs");
        }
        Assume.assumeTrue("CorpusIT skipped: no C compiler (cc; package gcc)", compiler);
        cluster = TwoHostCluster.start(CorpusIT.class, new TwoHostCluster.Options()
                .hosts("corpitA", "169.254.97.11", "corpitB", "169.254.97.12").clusterName("corpit"));
    }

    @AfterClass
    public static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    public void anUnlinkedFileMovesWithItsContentAndOffset() throws Exception {
        assertMovesIntact("file-deleted");
    }

    @Test
    public void pipesBetweenTwoTasksMoveWithTheirBufferedBytes() throws Exception {
        assertMovesIntact("pipe-data");
    }

    @Test
    public void unixSocketsMoveWithQueuedDataAndAListenerOnAPath() throws Exception {
        assertMovesIntact("unix-stream");
    }

    @Test
    public void aLoopbackTcpConnectionMovesWithDataQueuedBothWays() throws Exception {
        assertMovesIntact("tcp-established");
    }

    @Test
    public void signalStateMovesWithPendingSignalsAndASignalfd() throws Exception {
        assertMovesIntact("signals");
    }

    @Test
    public void aTreeOfSevenTasksSharingPagesCopyOnWriteMovesWithEveryTasksPages() throws Exception {
        assertMovesIntact("tree-shared-pages");
    }

    @Test
    public void sysvSharedMemoryInItsOwnIpcNamespaceMoves() throws Exception {
        assertMovesIntact("sysv-shm");
    }

    /** On one kernel the copy would meet the FIFO buffer the frozen source still holds: refused in the checks. */
    @Test
    public void aNamedFifoWithDataIsRefusedBeforeTheFreezeOnOneKernelAndKeepsItsState() throws Exception {
        assertRefusedBeforeTheFreeze("fifo-named", "check.one-kernel", "has the named FIFO ", "/fifo open");
    }

    /**
     * CRIU makes a pty again with its index, which the frozen source still holds on the same devpts (the corpus
     * found the restore failing in the frozen window, "tty: Can't open master pty"): refused in the checks.
     */
    @Test
    public void aPseudoTerminalIsRefusedBeforeTheFreezeOnOneKernelAndKeepsItsState() throws Exception {
        assertRefusedBeforeTheFreeze("pty", "check.one-kernel", "has the pseudo-terminal master ", "ptmx open (pty ");
    }

    /** CRIU 4.2.1 cannot dump a POSIX message queue (its dump failed with the tree frozen): refused in the checks. */
    @Test
    public void aPosixMessageQueueIsRefusedBeforeTheFreezeAndKeepsItsMessages() throws Exception {
        assertRefusedBeforeTheFreeze("posix-mq", "check.file-undumpable", "(posix-mq) fd 3 (/haul-corpus)",
                "a POSIX message queue", "Can't lookup mount=", "close it (mq_close)");
    }

    /** Plain CRIU restores a periodic timerfd that expired unread disarmed: Haul refuses it instead. */
    @Test
    public void aPeriodicTimerfdThatExpiredUnreadIsRefusedBeforeTheFreezeAndKeepsTicking() throws Exception {
        assertRefusedBeforeTheFreeze("timerfd", "check.state-lost", "(timerfd) fd 3 (anon_inode:[timerfd])",
                "a periodic timerfd (every 40 ms) that expired", "restores it disarmed", "then migrate again");
    }

    /** Plain CRIU restores a semaphore eventfd as a plain one: Haul refuses it instead. */
    @Test
    public void aSemaphoreEventfdIsRefusedBeforeTheFreezeAndKeepsItsMode() throws Exception {
        assertRefusedBeforeTheFreeze("eventfd-epoll", "check.state-lost", "(eventfd-epoll) fd 4 (anon_inode:[eventfd])",
                "semaphore mode (EFD_SEMAPHORE) holding 3", "SysV or POSIX shared-memory semaphore");
    }

    /** Plain CRIU drops an inotify instance's queued events: Haul refuses it instead. */
    @Test
    public void anInotifyInstanceWithAQueuedEventIsRefusedBeforeTheFreezeAndKeepsTheEvent() throws Exception {
        assertRefusedBeforeTheFreeze("inotify", "check.state-lost", "(inotify) fd 3 (anon_inode:inotify)",
                "bytes of events queued", "not its queue");
    }

    /**
     * Haul refuses the kind in the checks with the code and a reason that names it; nothing froze, and the program
     * runs on in hostA alone and finds its object as it left it.
     */
    private static void assertRefusedBeforeTheFreeze(String kind, String code, String... named) throws Exception {
        try (CorpusProgram program = CorpusProgram.start(cluster, kind)) {
            Commands.Result result = cluster.clientLive(cluster.a, "migrate", "process:" + program.root(), "--to",
                    cluster.b.name).result(MIGRATE_SECONDS);
            assertEquals("migrate exits 1:\n" + result.output(), 1, result.exitCode());
            JsonNode record = cluster.record(cluster.a, new MigrateOutput(result.output()).id());
            assertEquals(record.toPrettyString(), "CHECKS", record.path("error").path("phase").asText());
            assertEquals(record.toPrettyString(), code, record.path("error").path("code").asText());
            for (String words : named) {
                assertTrue("the reason names the object (" + words + "): " + record.path("error"),
                        record.path("error").path("message").asText().contains(words));
            }
            assertFalse("nothing froze:\n" + result.output(), result.output().contains("FINAL_DUMP"));
            program.assertOneCopyIn(cluster.a.name);
            String verdict = program.go();
            assertTrue(kind + " on " + cluster.a + " after the refusal: " + verdict, verdict.startsWith("PASS"));
        }
    }

    /** Moves the program to hostB with Haul; then exactly one copy runs there and its own check says PASS. */
    private static void assertMovesIntact(String kind) throws Exception {
        try (CorpusProgram program = CorpusProgram.start(cluster, kind)) {
            Commands.Result result = cluster.clientLive(cluster.a, "migrate", "process:" + program.root(), "--to",
                    cluster.b.name).result(MIGRATE_SECONDS);
            assertEquals(kind + ": migrate exits 0:\n" + result.output(), 0, result.exitCode());
            program.assertOneCopyIn(cluster.b.name);
            String verdict = program.go();
            System.out.println("CorpusIT " + kind + ": " + verdict);
            assertTrue(kind + " after the move: " + verdict, verdict.startsWith("PASS"));
        }
    }
}
