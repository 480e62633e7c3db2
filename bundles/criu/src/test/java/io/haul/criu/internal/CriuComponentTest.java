package io.haul.criu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.criu.CriuOptions.Flag;
import io.haul.api.criu.CriuOptions;
import io.haul.criu.DumpRequest;
import io.haul.criu.FrozenDump;
import io.haul.criu.RestoreRequest;
import io.haul.criu.RestoredTree;
import io.haul.criu.hold.CriuHold;
import io.haul.criu.hold.HoldHook;
import io.haul.host.files.Folders;
import io.haul.host.proc.ProcessTree;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver against the real CRIU and real process trees (skipped without root or Haul's CRIU). */
class CriuComponentTest {

    private static final Duration STILL = Duration.ofMillis(300);
    private static final Duration SOON = Duration.ofSeconds(10);

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
        // last started first: a held dump is released before its tree is killed
        for (AutoCloseable resource : cleanup.reversed()) {
            resource.close();
        }
    }

    @Test
    void aDumpHoldsTheTreeFrozenUntilAbortResumesIt() throws Exception {
        Workload tree = started(Workload.counting(dir));

        FrozenDump dump = held(criu.dump(request(tree.root(), "images")));

        long frozenAt = tree.assertStill(STILL);
        List<Long> tasks = ProcessTree.processes(tree.root());
        // CRIU keeps them seized: state t (tracing stop)
        assertTrue(tasks.stream().allMatch(CriuComponentTest::notRunning), "every task is stopped while held");
        assertTrue(Files.isRegularFile(dir.resolve("images/inventory.img")), "inventory.img written");
        try (Stream<Path> images = Files.list(dir.resolve("images"))) {
            assertTrue(images.anyMatch(p -> p.getFileName().toString().startsWith("pages-")), "pages-*.img written");
        }
        assertTrue(dump.frozenFor().toMillis() > 0);

        dump.abort();

        tree.awaitCounter(value -> value > frozenAt, SOON);
        assertTrue(ProcessTree.exists(tree.root()), "the same root pid runs on");
        dump.abort(); // idempotent
    }

    @Test
    void aCommittedDumpRestoresStoppedAndResumesWhereItWasFrozen() throws Exception {
        Workload tree = started(Workload.counting(dir));
        FrozenDump dump = held(criu.dump(request(tree.root(), "images")));
        long frozenAt = tree.assertStill(STILL);

        dump.commit();

        awaitGone(tree.root());
        assertEquals(frozenAt, tree.assertStill(STILL), "nothing counts after the commit");

        RestoredTree copy = restored(criu.restore(new RestoreRequest(emptyPlan(), dir.resolve("images"),
                dir.resolve("logs/restore.log"))));
        assertTrue(Files.isRegularFile(dir.resolve("logs/restore.log")), "the restore log is kept");
        assertTrue(ProcessTree.isNamespaceInit(copy.rootPid()), "the copy's root is its PID namespace's init again");
        assertEquals(ProcessHandle.current().pid(), statField(copy.rootPid(), 1), "restored as criu's sibling: our child");
        assertEquals(copy.rootPid(), statField(copy.rootPid(), 3), "still its own session's leader");
        assertEquals(frozenAt, tree.assertStill(STILL), "the copy is stopped until resumed");
        assertTrue(ProcessTree.processes(copy.rootPid()).stream().allMatch(pid -> state(pid) == 'T'),
                "every task of the copy is stopped (T)");

        copy.resume();

        assertEquals(frozenAt + 1, tree.awaitCounter(value -> value != frozenAt, SOON),
                "the copy counts on from the frozen value");
        tree.awaitCounter(value -> value > frozenAt + 3, SOON);

        copy.kill();
        awaitGone(copy.rootPid());
        long last = tree.counter();
        assertEquals(last, tree.assertStill(STILL), "nothing of the copy runs after kill()");
    }

    @Test
    void aLazyRestoreRunsOnFromTheFrozenStateEvenWhenItsImageFolderIsDroppedAtOnce() throws Exception {
        Workload tree = committed(Workload.counting(dir));
        long frozenAt = tree.assertStill(STILL);

        RestoredTree copy = restored(criu.restore(new RestoreRequest(emptyPlan(), dir.resolve("images"),
                dir.resolve("logs/restore.log"), true, "")));
        assertTrue(ProcessTree.processes(copy.rootPid()).stream().allMatch(pid -> state(pid) == 'T'),
                "every task of the lazily restored copy is stopped (T)");
        assertEquals(frozenAt, tree.assertStill(STILL), "the copy is stopped until resumed");
        copy.resume();
        assertTrue(Folders.delete(dir.resolve("images"))); // as the engine does once the copy runs: the daemon has its own links

        assertEquals(frozenAt + 1, tree.awaitCounter(value -> value != frozenAt, SOON),
                "the copy counts on from the frozen value, its memory filled by the lazy-pages daemon");
        tree.awaitCounter(value -> value > frozenAt + 3, SOON);
        copy.kill();
        awaitGone(copy.rootPid());
        long deadline = System.nanoTime() + SOON.toNanos();
        while (Files.exists(dir.resolve("images-lazy")) && System.nanoTime() < deadline) {
            Thread.sleep(20); // the daemon's end has no event we can wait on here
        }
        assertFalse(Files.exists(dir.resolve("images-lazy")), "the daemon's image links are gone with it");
    }

    @Test
    void aRestoreFromADamagedImageFailsWithItsLogAndLeavesNothing() throws Exception {
        restoreFromADamagedImage("");
    }

    @Test
    void aHeldRestoreFromADamagedImageFailsBeforeTheHoldWithItsLogAndLeavesNothing() throws Exception {
        assumeHoldHook();
        String migration = "damaged-" + ProcessHandle.current().pid();
        restoreFromADamagedImage(migration);
        assertFalse(CriuHold.heldRestores().contains(migration), "the hold is gone");
    }

    private void restoreFromADamagedImage(String holdFor) throws Exception {
        Workload tree = committed(Workload.counting(dir));
        truncate(dir.resolve("images/core-1.img"));
        long started = System.nanoTime();

        HaulException failure = assertThrows(HaulException.class, () -> restored(criu.restore(
                new RestoreRequest(emptyPlan(), dir.resolve("images"), dir.resolve("logs/restore.log"), false,
                        holdFor))));

        assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos(), "fails at once");

        System.out.println("restore failure: " + failure.getMessage());
        assertEquals("criu.restore-failed", failure.code());
        assertNotNull(failure.logFile());
        assertTrue(Files.isRegularFile(Path.of(failure.logFile())), "the log is kept");
        assertTrue(failure.getMessage().contains("core-1.img"), "names the damaged image: " + failure.getMessage());
        assertNothingLeftOf(tree);
    }

    /**
     * CRIU 4.2.1 never fails on a truncated pages image: the restored root (already forked) reads zero bytes
     * forever. The restore's timeout ends it, and the root, criu swrk and everything else go.
     */
    @Test
    void aRestoreThatNeverEndsIsKilledAtItsTimeout() throws Exception {
        Workload tree = committed(Workload.counting(dir));
        truncate(dir.resolve("images/pages-1.img"));
        RestoreRequest request = new RestoreRequest(emptyPlan(), dir.resolve("images"), dir.resolve("logs/restore.log"));
        long started = System.nanoTime();

        HaulException failure = assertThrows(HaulException.class,
                () -> restored(StoppedTree.start(RealCriu.CRIU, request, Duration.ofSeconds(2))));

        System.out.println("restore timeout: " + failure.getMessage());
        assertEquals("criu.timeout", failure.code());
        assertNotNull(failure.logFile());
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(20).toNanos(), "bounded");
        assertNothingLeftOf(tree);
        assertTrue(ownRestoringCriu().isEmpty(), "criu swrk is gone too");
    }

    /**
     * A restore held for a migration waits at post-restore, before CRIU unlocks the network: nothing of the copy
     * runs and the hold is there for a restarted agent to find; resume() lets CRIU finish and the copy counts on.
     */
    @Test
    void aHeldRestoreWaitsAtPostRestoreUntilResumeLetsItFinishAndRun() throws Exception {
        assumeHoldHook();
        Workload tree = committed(Workload.counting(dir));
        long frozenAt = tree.assertStill(STILL);
        String migration = "held-" + ProcessHandle.current().pid();

        RestoredTree copy = restored(criu.restore(new RestoreRequest(emptyPlan(), dir.resolve("images"),
                dir.resolve("logs/restore.log"), false, migration)));

        assertEquals(List.of(migration), CriuHold.heldRestores().stream().filter(migration::equals).toList(),
                "the hold waits for the verdict");
        assertTrue(ProcessTree.exists(copy.rootPid()), "the copy's root exists while held");
        assertEquals(frozenAt, tree.assertStill(STILL), "nothing of the copy runs while held");
        assertFalse(restoreLog().contains("Restore finished successfully"), "CRIU has not finished");

        copy.resume();

        assertEquals(frozenAt + 1, tree.awaitCounter(value -> value != frozenAt, SOON),
                "the copy counts on from the frozen value");
        assertTrue(restoreLog().contains("Restore finished successfully"), "CRIU finished after the verdict");
        assertFalse(CriuHold.heldRestores().contains(migration), "the hold is gone");
        copy.kill();
    }

    /** kill() while held: CRIU undoes its restore and nothing of the copy, the hold or criu swrk is left. */
    @Test
    void aHeldRestoreKilledIsUndoneAndLeavesNothing() throws Exception {
        assumeHoldHook();
        Workload tree = committed(Workload.counting(dir));
        String migration = "undone-" + ProcessHandle.current().pid();
        RestoredTree copy = restored(criu.restore(new RestoreRequest(emptyPlan(), dir.resolve("images"),
                dir.resolve("logs/restore.log"), false, migration)));

        copy.kill();

        awaitGone(copy.rootPid());
        assertNothingLeftOf(tree);
        assertFalse(CriuHold.heldRestores().contains(migration), "the hold is gone");
        assertTrue(ownRestoringCriu().isEmpty(), "criu swrk is gone too");
        assertThrows(HaulException.class, copy::resume, "a killed copy cannot be resumed");
    }

    private String restoreLog() throws IOException {
        return Files.readString(dir.resolve("logs/restore.log"));
    }

    private static void assumeHoldHook() {
        Usability hook = HoldHook.check(CriuHold.ENGINE_CRIU_CONFIG);
        if (!hook.usable()) {
            System.out.println("SKIPPED (held restore): " + hook.reason());
        }
        Assumptions.assumeTrue(hook.usable(), hook.reason());
    }

    private Workload committed(Workload tree) throws Exception {
        started(tree);
        FrozenDump dump = held(criu.dump(request(tree.root(), "images")));
        dump.commit();
        awaitGone(tree.root());
        return tree;
    }

    private static void truncate(Path image) throws IOException {
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() / 2);
        }
    }

    private void assertNothingLeftOf(Workload tree) throws IOException {
        assertTrue(processesMentioning(tree.counterFile().toString()).isEmpty(), "nothing of the copy runs");
        long last = tree.counter();
        assertEquals(last, tree.assertStill(STILL));
        assertEquals(List.of(), zombieChildren(), "no child of ours left unreaped");
    }

    @Test
    void losingTheConnectionDuringTheHoldResumesTheTree() throws Exception {
        Workload tree = started(Workload.counting(dir));
        HeldDump dump = (HeldDump) held(criu.dump(request(tree.root(), "images")));
        long frozenAt = tree.assertStill(STILL);

        dump.dropConnection(); // as if the agent died: no answer, the socket just closes

        tree.awaitCounter(value -> value > frozenAt, SOON);
        assertTrue(ProcessTree.exists(tree.root()));
    }

    /**
     * With an established TCP connection CRIU takes the socket in repair mode and locks it with iptables; an
     * abort must give both back: the same connection carries on, and no CRIU rule stays behind.
     */
    @Test
    void anAbortedDumpGivesBackAnEstablishedTcpConnection() throws Exception {
        assumePerl();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Workload tree = started(tcpClient(server.getLocalPort()));
            server.setSoTimeout(10_000);
            try (Socket connection = server.accept();
                    BufferedReader lines = new BufferedReader(new InputStreamReader(connection.getInputStream(),
                            StandardCharsets.US_ASCII))) {
                connection.setSoTimeout(10_000);
                lines.readLine();
                String rulesBefore = iptablesRules();

                FrozenDump dump = held(criu.dump(request(tree.root(), "images")));
                try (Stream<Path> images = Files.list(dir.resolve("images"))) {
                    assertTrue(images.anyMatch(p -> p.getFileName().toString().startsWith("tcp-stream-")),
                            "the connection's stream was dumped");
                }
                assertNotEquals(rulesBefore, iptablesRules(), "CRIU locks the connection while it holds the dump");
                dump.abort();

                long last = Long.parseLong(lines.readLine());
                for (int i = 0; i < 5; i++) {
                    long next = Long.parseLong(lines.readLine());
                    assertEquals(last + 1, next, "the same stream, nothing lost or repeated");
                    last = next;
                }
                assertEquals(rulesBefore, iptablesRules(), "CRIU's network lock is gone");
            }
        }
    }

    /** The same connection, restored with the copy: CRIU unlocks it at the end of the restore. */
    @Test
    void anEstablishedTcpConnectionMovesWithTheRestoredCopy() throws Exception {
        assumePerl();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Workload tree = started(tcpClient(server.getLocalPort()));
            server.setSoTimeout(10_000);
            try (Socket connection = server.accept();
                    BufferedReader lines = new BufferedReader(new InputStreamReader(connection.getInputStream(),
                            StandardCharsets.US_ASCII))) {
                connection.setSoTimeout(10_000);
                lines.readLine();
                String rulesBefore = iptablesRules();

                FrozenDump dump = held(criu.dump(request(tree.root(), "images")));
                assertNotEquals(rulesBefore, iptablesRules(), "CRIU locks the connection while it holds the dump");
                dump.commit();
                awaitGone(tree.root());
                // CRIU would leave its DROP rules after a dump that succeeded: the commit removes them
                assertEquals(rulesBefore, iptablesRules(), "no lock rule is left after the commit");
                RestoredTree copy = restored(criu.restore(new RestoreRequest(emptyPlan(), dir.resolve("images"),
                        dir.resolve("logs/restore.log"))));
                copy.resume();

                long last = Long.parseLong(lines.readLine());
                for (int i = 0; i < 5; i++) {
                    long next = Long.parseLong(lines.readLine());
                    assertEquals(last + 1, next, "the same stream, nothing lost or repeated");
                    last = next;
                }
                assertEquals(rulesBefore, iptablesRules(), "CRIU's network lock is gone");
            }
        }
    }

    @Test
    void cpuinfoDumpedHereChecksHereAndVersionIsAsked() throws Exception {
        Path cpu = dir.resolve("cpu");

        criu.cpuinfoDump(cpu);
        criu.cpuinfoCheck(cpu);

        assertTrue(Files.isRegularFile(cpu.resolve("cpuinfo.img")));
        String version = criu.version();
        assertTrue(version.startsWith("4."), version);
    }

    @Test
    void aCpuinfoCheckWithoutDescriptionFails() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));

        HaulException failure = assertThrows(HaulException.class, () -> criu.cpuinfoCheck(empty));

        System.out.println("cpuinfo check failure: " + failure.getMessage());
        assertNotNull(failure.logFile());
    }

    @Test
    void aDumpOfAMissingPidFailsAtOnce() {
        long started = System.nanoTime();

        HaulException failure = assertThrows(HaulException.class,
                () -> held(criu.dump(request(Integer.MAX_VALUE, "images"))));

        assertEquals("criu.dump-failed", failure.code());
        assertTrue(failure.getMessage().contains("no such process"), failure.getMessage());
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos());
    }

    @Test
    void aDumpCriuRefusesFailsWithItsLogAndTheTreeRunsOn() throws Exception {
        // its own mount namespace, and stdout a host file opened outside it: CRIU cannot dump that ("Can't lookup
        // mount", see the README)
        Workload tree = started(Workload.shell(List.of("-m"), "while :; do sleep 0.05; done", dir.resolve("out")));

        HaulException failure = assertThrows(HaulException.class,
                () -> held(criu.dump(request(tree.root(), "images"))));

        System.out.println("dump failure: " + failure.getMessage());
        assertEquals("criu.dump-failed", failure.code());
        assertNotNull(failure.logFile());
        assertTrue(Files.isRegularFile(Path.of(failure.logFile())));
        Workload.sleep(100);
        assertTrue(ProcessTree.exists(tree.root()), "the tree runs on");
        assertTrue(ProcessTree.processes(tree.root()).stream().noneMatch(pid -> state(pid) == 't'),
                "no task is left in tracing stop");
    }

    // -- glue

    private static void assumePerl() {
        if (!Files.isExecutable(Path.of("/usr/bin/perl"))) {
            System.out.println("SKIPPED: no /usr/bin/perl for the TCP client");
            Assumptions.assumeTrue(false, "no /usr/bin/perl for the TCP client");
        }
    }

    /** perl in its own PID namespace, writing 1, 2, 3... a line every 50 ms to 127.0.0.1:port. */
    private Workload tcpClient(int port) throws IOException {
        // perl's program in the shell's single quotes, so only perl reads its $ and quotes
        String client = "use IO::Socket::INET; my $s = IO::Socket::INET->new(PeerAddr => \"127.0.0.1:" + port
                + "\") or die; $s->autoflush(1); my $i = 0;"
                + " while (1) { $i++; print $s \"$i\\n\"; select(undef, undef, undef, 0.05); }";
        return Workload.shell(List.of(), "exec </dev/null >/dev/null 2>&1; exec perl -e '" + client + "'",
                dir.resolve("out"));
    }

    private static String iptablesRules() throws Exception {
        Process save = new ProcessBuilder("iptables-save").redirectErrorStream(true).start();
        String rules = new String(save.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        save.waitFor();
        // iptables-save stamps its output with the time and packet counters: keep only the rules
        return rules.lines().filter(line -> line.startsWith("-A") || line.startsWith(":CRIU"))
                .collect(Collectors.joining("\n"));
    }

    private DumpRequest request(long pid, String images) {
        return new DumpRequest(pid, CriuOptions.of(Flag.TCP_ESTABLISHED, Flag.FILE_LOCKS), dir.resolve(images),
                dir.resolve("logs/dump.log"));
    }

    private static CriuOptions emptyPlan() {
        return CriuOptions.NONE;
    }

    private Workload started(Workload workload) {
        cleanup.add(workload);
        return workload;
    }

    private FrozenDump held(FrozenDump dump) {
        cleanup.add(dump);
        return dump;
    }

    private RestoredTree restored(RestoredTree tree) {
        long root = tree.rootPid();
        cleanup.add(() -> {
            tree.kill();
            ProcessHandle.of(root).ifPresent(ProcessHandle::destroyForcibly);
        });
        return tree;
    }

    private static void awaitGone(long pid) {
        long deadline = System.nanoTime() + SOON.toNanos();
        while (ProcessTree.exists(pid)) {
            assertTrue(System.nanoTime() < deadline, "pid " + pid + " still there");
            Workload.sleep(5);
        }
    }

    private static boolean notRunning(long pid) {
        char state = state(pid);
        return state == 't' || state == 'T' || state == '?';
    }

    /** A number of /proc/PID/stat counted from the state (0): 1 is the parent, 3 the session. */
    private static long statField(long pid, int index) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[index]);
    }

    /** The state letter of /proc/PID/stat, '?' when gone. */
    private static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (IOException e) {
            return '?';
        }
    }

    /** Children of this JVM that ended and were never reaped. */
    private static List<Long> zombieChildren() throws IOException {
        List<Long> zombies = new ArrayList<>();
        try (Stream<Path> threads = Files.list(Path.of("/proc/self/task"))) {
            for (Path thread : threads.toList()) {
                String children;
                try {
                    children = Files.readString(thread.resolve("children")).strip();
                } catch (IOException e) {
                    continue; // the thread ended
                }
                for (String child : children.isEmpty() ? new String[0] : children.split("\\s+")) {
                    if (state(Long.parseLong(child)) == 'Z') {
                        zombies.add(Long.parseLong(child));
                    }
                }
            }
        }
        return zombies;
    }

    /**
     * The CRIU restores this test's JVM started that still run (criu swrk stays its child while it lives): other
     * builds on the machine run CRIU restores of their own at the same time.
     */
    private static List<Long> ownRestoringCriu() {
        return ProcessHandle.current().descendants().filter(p -> {
            try {
                return Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline")).replace('\0', ' ')
                        .contains("restore --rpc");
            } catch (IOException e) {
                return false; // ended meanwhile
            }
        }).map(ProcessHandle::pid).toList();
    }

    private static List<Long> processesMentioning(String text) throws IOException {
        List<Long> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String cmdline = Files.readString(entry.resolve("cmdline")).replace('\0', ' ');
                    if (cmdline.contains(text) && ProcessTree.exists(Long.parseLong(name))) {
                        found.add(Long.parseLong(name));
                    }
                } catch (IOException e) {
                    // ended meanwhile
                }
            }
        }
        return found;
    }
}
