package io.haul.strategy.vmread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.strategy.RoundStats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rounds on real processes: perl children holding known memory. */
class VmReadPreCopyTest {

    private static final long PAGE = 4096;
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeEach
    void needsRootAndPerl() throws Exception {
        Child.assumeRootAndPerl();
    }

    @AfterEach
    void stopChildren() throws Exception {
        for (AutoCloseable c : cleanup.reversed()) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T closing(T resource) {
        cleanup.add(resource);
        return resource;
    }

    private VmReadPreCopy preCopy(TestContext context) {
        return closing(new VmReadPreCopy(context, false, VmReadPreCopy.DEFAULT_BUFFER));
    }

    @Test
    void theFirstRoundOffersEveryPageOfTheWorkloadWithItsContent() throws Exception {
        Child workload = closing(Child.workload(64, dir.resolve("status")));
        long pid = workload.pid();
        RecordingSink sink = new RecordingSink(p -> p == pid);
        VmReadPreCopy preCopy = preCopy(new TestContext(() -> List.of(pid), sink));

        RoundStats stats = preCopy.round();

        assertEquals(1, stats.round());
        assertTrue(stats.pagesChanged() * PAGE >= 64 * MIB, "offered " + stats.pagesChanged() + " pages");
        assertEquals(stats.pagesScanned(), stats.pagesChanged(), "round 1 offers every page it reads");
        assertEquals(stats.pagesChanged(), stats.pagesSent());
        assertEquals(stats.pagesSent() * PAGE, stats.bytesSent());
        assertEquals(sink.offers(), stats.pagesChanged());
        assertTrue(stats.duration().toNanos() > 0);
        assertEquals(0, stats.dirtyPagesPerSecond(), "no rate before a second round");
        assertTrue(stats.predictedDowntime().toNanos() > 0);

        // each 4 KiB of the workload is random bytes headed by its number and version (0 until rewritten),
        // big-endian; perl's string starts a few bytes into its first page, so the header sits at the same
        // offset in every page of memory: look for it anywhere (random bytes all but never fake a header)
        Map<Integer, byte[]> byNumber = new HashMap<>();
        Set<Long> addresses = new HashSet<>();
        for (RecordingSink.Offered page : sink.kept()) {
            assertTrue(addresses.add(page.address()), "page 0x" + Long.toHexString(page.address()) + " offered twice");
            ByteBuffer words = ByteBuffer.wrap(page.content());
            for (int offset = 0; offset + 8 <= PAGE; offset++) {
                int number = words.getInt(offset);
                if (number >= 0 && number < 64 * 256 && words.getInt(offset + 4) == 0) {
                    byNumber.putIfAbsent(number, page.content());
                }
            }
        }
        for (int number : new int[] {1, 2, 1000, 4097, 12345, 16382}) {
            assertTrue(byNumber.containsKey(number), "no offered page carries number " + number + "; found "
                    + byNumber.size() + " numbered pages, e.g. "
                    + byNumber.keySet().stream().sorted().limit(5).toList());
        }
    }

    @Test
    void aSecondRoundOfAWorkloadThatOnlyReadsOffersFewPages() throws Exception {
        Child workload = closing(Child.workload(64, dir.resolve("status")));
        RecordingSink sink = RecordingSink.counting();
        VmReadPreCopy preCopy = preCopy(new TestContext(() -> List.of(workload.pid()), sink));
        RoundStats first = preCopy.round();
        Thread.sleep(500);

        RoundStats second = preCopy.round();

        System.out.printf("FIGURE idle workload: round 1 %d pages, round 2 read %d, offered %d%n",
                first.pagesChanged(), second.pagesScanned(), second.pagesChanged());
        assertEquals(2, second.round());
        assertEquals(first.pagesScanned(), second.pagesScanned(), 64, "round 2 reads the same memory again");
        assertTrue(second.pagesChanged() < 64, "offered " + second.pagesChanged() + " pages again");
        assertEquals(second.pagesChanged(), second.pagesSent());
    }

    @Test
    void aProcessWritingAtAKnownRateIsOfferedAtThatRate() throws Exception {
        // 64 MiB written once, then 100 distinct pages rewritten every 100 ms, in order (1000 pages a second),
        // printing how many it rewrote so far: on a busy machine it may fall behind, and the test goes by its word
        Child writer = closing(Child.perl("""
                $| = 1; my $pages = 16384; my $d = "\\0" x ($pages * 4096);
                print "ready\\n"; my ($i, $c) = (0, 0);
                while (1) {
                    for (1 .. 100) { vec($d, ($i++ % $pages) * 512, 64) = ++$c; }
                    print "$c\\n";
                    select(undef, undef, undef, 0.1);
                }
                """));
        RecordingSink sink = RecordingSink.counting();
        VmReadPreCopy preCopy = preCopy(new TestContext(() -> List.of(writer.pid()), sink));
        long start1 = System.nanoTime();
        preCopy.round();
        long t1 = (start1 + System.nanoTime()) / 2; // a round reads its pages over its whole duration
        Thread.sleep(2000);
        long start2 = System.nanoTime();

        RoundStats second = preCopy.round();

        long t2 = (start2 + System.nanoTime()) / 2;
        Thread.sleep(300);
        List<Child.Line> counts = writer.drain();
        long written = writtenBy(counts, t2) - writtenBy(counts, t1);
        double rate = written / ((t2 - t1) / 1e9);
        System.out.printf("FIGURE writer at 1000 pages/s: round 2 after %.2f s offered %d pages (it wrote %d),"
                + " dirty rate %.0f pages/s (it wrote %.0f/s)%n", (t2 - t1) / 1e9, second.pagesChanged(), written,
                second.dirtyPagesPerSecond(), rate);
        assertTrue(Math.abs(second.pagesChanged() - written) <= written / 10 + 150,
                "offered " + second.pagesChanged() + ", it wrote " + written);
        assertTrue(Math.abs(second.dirtyPagesPerSecond() - rate) <= rate / 10 + 75,
                "dirty rate " + second.dirtyPagesPerSecond() + ", it wrote " + rate + " pages/s");
        assertTrue(second.predictedDowntime().toNanos() > 0);
    }

    /** The writer's count as last printed before {@code nanos}. */
    private static long writtenBy(List<Child.Line> counts, long nanos) {
        long count = 0;
        for (Child.Line line : counts) {
            if (line.nanos() <= nanos) {
                count = Long.parseLong(line.text());
            }
        }
        return count;
    }

    @Test
    void processesThatExitBetweenOrDuringRoundsFailNothing() throws Exception {
        Child stays = closing(Child.holding(8));
        Child exits = closing(Child.holding(8));
        Child diesMidRound = closing(Child.holding(64));
        long missing = Integer.MAX_VALUE; // above any pid_max
        RecordingSink sink = RecordingSink.counting();
        sink.hook((pid, address) -> {
            if (pid == diesMidRound.pid() && diesMidRound.process.isAlive()) {
                try {
                    diesMidRound.kill(); // the rest of its current batch was read already; the next call sees ESRCH
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        List<Long> pids = List.of(stays.pid(), exits.pid(), diesMidRound.pid(), missing);
        VmReadPreCopy preCopy = preCopy(new TestContext(() -> pids, sink));

        RoundStats first = preCopy.round();

        assertTrue(sink.offersOf(stays.pid()) * PAGE >= 8 * MIB);
        assertTrue(sink.offersOf(exits.pid()) * PAGE >= 8 * MIB);
        long fromDead = sink.offersOf(diesMidRound.pid());
        assertTrue(fromDead > 0 && fromDead * PAGE <= VmReadPreCopy.DEFAULT_BUFFER,
                "offered " + fromDead + " pages of the process killed at its first");
        assertTrue(first.pagesChanged() >= sink.offers());

        exits.kill();
        sink.forget();
        RoundStats second = preCopy.round();

        assertEquals(0, sink.offersOf(exits.pid()));
        assertTrue(second.pagesScanned() * PAGE >= 8 * MIB, "the process left is read again");
        assertEquals(List.of(stays.pid()), preCopy.trackedPids(), "forgets the processes gone");
    }

    @Test
    void aMappingUnmappedDuringTheRoundIsSkipped() throws Exception {
        // the test's own JVM as the tree: 64 MiB of its native memory (malloc'd, so a mapping of its own) is freed,
        // so unmapped, when its first page is offered; the batches after that fail on it (EFAULT, partial reads)
        long self = ProcessHandle.current().pid();
        long size = 64 * MIB;
        Arena arena = Arena.ofConfined();
        MemorySegment region = arena.allocate(size, PAGE);
        region.fill((byte) 7);
        long start = region.address();
        long[] fromRegion = {0};
        RecordingSink sink = RecordingSink.counting();
        sink.hook((pid, address) -> {
            if (address >= start && address < start + size) {
                fromRegion[0]++;
                if (arena.scope().isAlive()) {
                    arena.close();
                }
            }
        });
        VmReadPreCopy preCopy = preCopy(new TestContext(() -> List.of(self), sink));

        RoundStats stats = preCopy.round();

        assertTrue(fromRegion[0] > 0 && fromRegion[0] * PAGE <= VmReadPreCopy.DEFAULT_BUFFER,
                "offered " + fromRegion[0] + " pages of the region unmapped at its first");
        assertTrue(stats.pagesScanned() > fromRegion[0], "the rest of the process is read");
    }

    @Test
    void threadsAndRepeatedPidsOfAProcessAreReadOnce() throws Exception {
        Child child = closing(Child.holding(8));
        RecordingSink sink = new RecordingSink(p -> p == child.pid());
        VmReadPreCopy preCopy = preCopy(new TestContext(() -> List.of(child.pid(), child.pid()), sink));

        preCopy.round();

        Set<Long> addresses = new HashSet<>();
        for (RecordingSink.Offered page : sink.kept()) {
            assertTrue(addresses.add(page.address()), "page 0x" + Long.toHexString(page.address()) + " offered twice");
        }
        assertEquals(1, preCopy.trackedProcesses());
        // a thread id maps to its process
        long self = ProcessHandle.current().pid();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                assertEquals(self, TaskState.tgid(Long.parseLong(task.getFileName().toString())).orElseThrow());
            }
        }
    }

    @Test
    void aCancelledMigrationEndsTheRoundEarly() throws Exception {
        Child workload = closing(Child.holding(64));
        RecordingSink sink = RecordingSink.counting();
        TestContext context = new TestContext(() -> List.of(workload.pid()), sink);
        sink.hook((pid, address) -> {
            if (sink.offers() == 100) {
                context.cancelled.set(true);
            }
        });
        VmReadPreCopy preCopy = preCopy(context);

        RoundStats stats = preCopy.round();

        assertTrue(stats.pagesChanged() >= 100
                && stats.pagesChanged() * PAGE <= 100 * PAGE + VmReadPreCopy.DEFAULT_BUFFER,
                "offered " + stats.pagesChanged() + " pages after the cancel at 100");

        RoundStats nothing = preCopy.round();
        assertEquals(0, nothing.pagesScanned(), "a round of a cancelled migration reads nothing");
    }
}
