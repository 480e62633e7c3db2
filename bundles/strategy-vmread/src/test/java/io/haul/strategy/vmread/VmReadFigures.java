package io.haul.strategy.vmread;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.strategy.RoundStats;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The figures the pre-copy issue asks for, printed as FIGURE lines: round-1 throughput on 256 MiB, and how much
 * a running workload slows while rounds read it. A measurement, not a test: its name keeps it out of the test
 * run; run it with {@code mvn -pl bundles/strategy-vmread test -Dtest=VmReadFigures -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class VmReadFigures {

    private static final long PAGE = 4096;

    @TempDir
    Path dir;

    @BeforeEach
    void needsRootAndPerl() throws Exception {
        Child.assumeRootAndPerl();
    }

    @Test
    void roundOneThroughputOn256Mib() throws Exception {
        try (Child workload = Child.workload(256, dir.resolve("status"))) {
            TestContext context = new TestContext(() -> List.of(workload.pid()), RecordingSink.counting());
            RoundStats cold;
            RoundStats second;
            try (VmReadPreCopy preCopy = new VmReadPreCopy(context, false, VmReadPreCopy.DEFAULT_BUFFER)) {
                cold = preCopy.round();
                second = preCopy.round();
            }
            RoundStats warm;
            try (VmReadPreCopy preCopy = new VmReadPreCopy(context, false, VmReadPreCopy.DEFAULT_BUFFER)) {
                warm = preCopy.round();
            }

            System.out.printf("FIGURE round 1 on 256 MiB (%d pages read+fingerprinted+offered): %d ms = %.0f MB/s in a"
                    + " fresh JVM, %d ms = %.0f MB/s once warm; round 2 (read+fingerprint, %d offered): %d ms ="
                    + " %.0f MB/s (load average %s)%n", cold.pagesScanned(), cold.duration().toMillis(),
                    mbPerSecond(cold), warm.duration().toMillis(), mbPerSecond(warm), second.pagesChanged(),
                    second.duration().toMillis(), mbPerSecond(second), loadAverage());
            assertTrue(cold.pagesScanned() * PAGE >= 256L << 20);
            assertTrue(warm.pagesChanged() * PAGE >= 256L << 20);
        }
    }

    @Test
    void slowdownOfACpuLoopWhileRoundsRead() throws Exception {
        // counts loop iterations, prints the count every 100 ms; holds 256 MiB that the rounds read
        String script = """
                use Time::HiRes qw(time); $| = 1; my $mib = 256; my $d = 'x' x ($mib << 20); print "ready\\n";
                my ($n, $next) = (0, time + 0.1);
                while (1) { $n++; if (($n & 0x3fff) == 0 && time >= $next) { print "$n\\n"; $next += 0.1; } }
                """;
        measure("cpu loop", script);
    }

    @Test
    void slowdownOfAPageWritingLoopWhileRoundsRead() throws Exception {
        // the same, writing a different page of its 256 MiB at each iteration
        String script = """
                use Time::HiRes qw(time); $| = 1; my $mib = 256; my $d = 'x' x ($mib << 20); print "ready\\n";
                my ($n, $next) = (0, time + 0.1);
                while (1) { vec($d, ($n & 0xffff) * 512, 64) = $n; $n++;
                    if (($n & 0x3fff) == 0 && time >= $next) { print "$n\\n"; $next += 0.1; } }
                """;
        measure("page-writing loop", script);
    }

    /**
     * Alternates a second without rounds and a second of back-to-back rounds, four times, so that a change in
     * the machine's other load touches both sides alike; compares the loop's iteration rates.
     */
    private void measure(String name, String script) throws Exception {
        measure(name, script, false);
        measure(name, script, true);
    }

    /**
     * @param control read another process of the same size instead: what remains of the slowdown then is the
     *                machine's (the rounds' CPU and memory bandwidth taken from everything else), not the reading
     *                of this workload's memory
     */
    private void measure(String name, String script, boolean control) throws Exception {
        try (Child child = Child.perl(script);
                Child other = control ? Child.holding(256) : null;
                VmReadPreCopy preCopy = new VmReadPreCopy(
                        new TestContext(() -> List.of(control ? other.pid() : child.pid()), RecordingSink.counting()),
                        false, VmReadPreCopy.DEFAULT_BUFFER)) {
            preCopy.round(); // the first round offers everything: not the steady state being measured
            Thread.sleep(500);
            child.drain();
            double[] idle = new double[2];
            double[] busy = new double[2];
            long rounds = 0;
            long pages = 0;
            long reading = 0;
            for (int cycle = 0; cycle < 4; cycle++) {
                Thread.sleep(1000);
                add(idle, child.drain());
                long until = System.nanoTime() + 1_000_000_000L;
                while (System.nanoTime() < until) {
                    RoundStats stats = preCopy.round();
                    rounds++;
                    pages += stats.pagesScanned();
                    reading += stats.duration().toNanos();
                }
                add(busy, child.drain());
            }
            double idleRate = idle[0] / idle[1];
            double busyRate = busy[0] / busy[1];
            System.out.printf("FIGURE %s%s: %.2f M iterations/s without rounds, %.2f M/s during %d back-to-back"
                    + " rounds (%.0f MB/s read): %.1f%% slower (load average %s)%n", name,
                    control ? ", rounds reading another 256 MiB process (control)" : "", idleRate / 1e6,
                    busyRate / 1e6, rounds, pages * PAGE / 1e6 / (reading / 1e9), 100 * (1 - busyRate / idleRate),
                    loadAverage());
        }
    }

    /** Adds the iterations and seconds between the first and last sample of a window. */
    private static void add(double[] sums, List<Child.Line> lines) {
        assertTrue(lines.size() >= 3, "too few samples: " + lines);
        Child.Line first = lines.getFirst();
        Child.Line last = lines.getLast();
        sums[0] += Long.parseLong(last.text()) - Long.parseLong(first.text());
        sums[1] += (last.nanos() - first.nanos()) / 1e9;
    }

    static String loadAverage() throws java.io.IOException {
        String[] fields = java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ");
        return fields[0] + " on " + Runtime.getRuntime().availableProcessors() + " CPUs";
    }

    private static double mbPerSecond(RoundStats stats) {
        return stats.pagesScanned() * PAGE / 1e6 / (stats.duration().toNanos() / 1e9);
    }
}
