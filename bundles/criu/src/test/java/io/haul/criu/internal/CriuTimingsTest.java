package io.haul.criu.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.criu.CriuOptions.Flag;
import io.haul.api.criu.CriuOptions;
import io.haul.criu.DumpRequest;
import io.haul.criu.FrozenDump;
import io.haul.criu.RestoreRequest;
import io.haul.criu.RestoredTree;
import io.haul.host.proc.ProcessTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dump and restore times of a small tree and of one with 256 MiB of touched memory, printed ("TIMING ...")
 * for the record; the only assertions are that the round trip works and stays within generous bounds.
 */
class CriuTimingsTest {

    private static final long MIB = 1024 * 1024;

    @TempDir
    Path dir;

    private CriuComponent criu;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeEach
    void setUp() {
        RealCriu.assumeUsable();
        criu = RealCriu.component();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable resource : cleanup.reversed()) {
            resource.close();
        }
    }

    @Test
    void aSmallShellLoop() throws Exception {
        Workload tree = Workload.counting(dir);
        cleanup.add(tree);

        roundTrip("shell loop", tree.root());
    }

    @Test
    void aProcessWith256MibOfTouchedMemory() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/perl"))) {
            System.out.println("SKIPPED: no perl to fill 256 MiB");
            Assumptions.assumeTrue(false, "no perl to fill 256 MiB");
        }
        Workload tree = Workload.shell(List.of(),
                "exec </dev/null >/dev/null 2>&1; exec perl -e '$x = \"a\" x (256*1024*1024); sleep 600'",
                dir.resolve("out"));
        cleanup.add(tree);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (rssBytes(tree.root()) < 256 * MIB) {
            assertTrue(System.nanoTime() < deadline, "perl did not reach 256 MiB");
            Workload.sleep(20);
        }

        roundTrip("256 MiB", tree.root());
    }

    private void roundTrip(String name, long pid) throws Exception {
        Path images = dir.resolve("images");
        long t0 = System.nanoTime();
        FrozenDump dump = criu.dump(new DumpRequest(pid, CriuOptions.of(Flag.TCP_ESTABLISHED, Flag.FILE_LOCKS), images,
                dir.resolve("dump.log")));
        cleanup.add(dump);
        long t1 = System.nanoTime();
        dump.commit();
        long t2 = System.nanoTime();
        RestoredTree copy = criu.restore(new RestoreRequest(CriuOptions.NONE, images, dir.resolve("restore.log")));
        long t3 = System.nanoTime();
        cleanup.add(copy::kill);
        copy.resume();
        long t4 = System.nanoTime();

        System.out.printf("TIMING %s: images %d MiB; dump: frozen after %d ms (request to post-dump), call %d ms,"
                + " commit %d ms; restore (stopped) %d ms; resume %d ms%n", name, size(images) / MIB,
                dump.frozenFor().toMillis(), ms(t1 - t0), ms(t2 - t1), ms(t3 - t2), ms(t4 - t3));
        assertTrue(ProcessTree.exists(copy.rootPid()));
        assertTrue(dump.frozenFor().compareTo(Duration.ofSeconds(30)) < 0);
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            long total = 0;
            for (Path file : files.toList()) {
                total += Files.size(file);
            }
            return total;
        }
    }

    private static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException e) {
            // not there yet
        }
        return 0;
    }
}
