package io.haul.backend.process;

import static io.haul.api.namespace.NamespaceKind.MNT;
import static io.haul.api.namespace.NamespaceKind.NET;
import static io.haul.api.namespace.NamespaceKind.PID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.HaulException;
import io.haul.api.backend.ContainerInfo;
import io.haul.api.backend.ContainerManifest;
import io.haul.api.backend.CriuDestinationSession;
import io.haul.api.backend.CriuSourceSession;
import io.haul.api.backend.DestinationSession;
import io.haul.api.backend.MigrationFolders;
import io.haul.api.backend.SourcePlan;
import io.haul.api.backend.SourceSession;
import io.haul.api.criu.CriuOptions.Flag;
import io.haul.api.criu.CriuOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The backend against a fake /proc: the parsing edge cases a live host does not produce on demand. */
class ProcessBackendTest {

    @TempDir
    Path dir;

    private FakeProc proc;
    private ProcessBackend backend;

    @BeforeEach
    void fakeHost() {
        proc = new FakeProc(dir);
        proc.self(50, 0);
        proc.process(1).hostNamespaces().status(1, "1", "1", 9000).stat(1, "init", 1).cmdline("/sbin/init");
        proc.process(7).hostNamespaces().status(7, "7", "7", 100).stat(7, "bash", 7).cmdline("bash");
        proc.process(50).hostNamespaces().status(50, "50", "7", 100).stat(50, "java", 7).cmdline("java");

        // tree 100: setsid inside, own pid+mnt namespaces, a child with a hostile comm, two vanishing pids
        proc.process(100).ownNamespaces("A", PID, MNT).status(100, "100\t1", "100\t1", 1000)
                .stat(100, "sh", 100).cmdline("sh", "-c", "sleep 300 & wait").cwd("/srv/work");
        proc.process(101).ownNamespaces("A", PID, MNT).status(101, "101\t2", "100\t1", 500)
                .stat(101, "we) S 1 2 3 (ird", 100).cmdline("sleep", "300");
        proc.process(102).ownNamespaces("A", PID, MNT); // exited after its ns link was read: no status
        proc.entry("103"); // exited before anything was read: an empty directory

        // tree 200: its session is the host shell's
        proc.process(200).ownNamespaces("B", PID, NET).status(200, "200\t1", "7\t0", 10)
                .stat(200, "sh", 7).cmdline("sh", "-c", "sleep 300");

        // tree 300: an old kernel that has no NSpid line: unknown, so never a tree
        proc.process(300).ownNamespaces("C", PID).status(300, null, null, 10).stat(300, "sh", 300).cmdline("sh");

        // tree 400: its session leader (401, inside) exited; NSsid still numbers the session inside
        proc.process(400).ownNamespaces("D", PID).status(400, "400\t1", "401\t2", 10).stat(400, "sh", 401).cmdline();

        // tree 500: its session leader (501, outside) exited; NSsid has no number for it inside
        proc.process(500).ownNamespaces("E", PID).status(500, "500\t1", "501\t0", 10)
                .stat(500, "x", 501).cmdline("y".repeat(150), "z".repeat(150));

        // tree 600: its child 601 ran unshare -p -f: 602 is pid 1 of a PID namespace nested in the tree, 603 its child
        proc.process(600).ownNamespaces("F", PID).status(600, 7, "600\t1", "600\t1", 10).stat(600, "sh", 600)
                .cmdline("sh");
        proc.process(601).ownNamespaces("F", PID).status(601, 600, "601\t2", "600\t1", 10).stat(601, "unshare", 600)
                .cmdline("unshare", "-p", "-f", "sh");
        proc.process(602).ownNamespaces("G", PID).status(602, 601, "602\t3\t1", "600\t1\t0", 10)
                .stat(602, "sh", 600).cmdline("sh");
        proc.process(603).ownNamespaces("G", PID).status(603, 602, "603\t4\t2", "600\t1\t0", 10)
                .stat(603, "sleep", 600).cmdline("sleep", "1");
    }

    private Map<Long, ContainerInfo> listByRoot() throws HaulException {
        backend = new ProcessBackend(new ProcFs(proc.root()));
        return backend.list().stream().collect(Collectors.toMap(ContainerInfo::rootPid, Function.identity()));
    }

    @Test
    void listsEveryTreeAndSkipsVanishedProcesses() throws HaulException {
        Map<Long, ContainerInfo> trees = listByRoot();
        assertEquals(Set.of(100L, 200L, 400L, 500L, 600L), trees.keySet(), "300 has no NSpid; host processes are no"
                + " trees; 602 is the init of a PID namespace nested in tree 600");

        ContainerInfo a = trees.get(100L);
        assertEquals("process:100", a.ref().toString());
        assertEquals("sh -c sleep 300 & wait", a.command());
        assertEquals(2, a.processes(), "102 and 103 vanished");
        assertEquals((1000 + 500) * 1024L, a.rssBytes());
        assertEquals(Set.of(PID, MNT), a.ownNamespaces());
        assertTrue(a.migratable(), a.whyNot());
        assertEquals("", a.whyNot());
    }

    @Test
    void aPidNamespaceNestedInATreeIsPartOfIt() throws HaulException {
        Map<Long, ContainerInfo> trees = listByRoot();
        assertEquals(4, trees.get(600L).processes(), "the nested namespace's tasks count with the tree's");
        assertCode("container.not-a-tree", "pid 602 is pid 1 inside a PID namespace nested in tree 600: migrate"
                + " process:600", () -> backend.inspect("602"));
        assertCode("container.not-a-tree", "pid 603 is pid 2 inside a PID namespace nested in tree 600",
                () -> backend.inspect("603"));
        assertEquals(4, backend.inspect("600").processes());
    }

    @Test
    void sessionLeaderOutsideIsNotMigratable() throws HaulException {
        ContainerInfo b = listByRoot().get(200L);
        assertFalse(b.migratable());
        assertEquals("session leader 7 is outside the tree's PID namespace (start it with setsid inside the namespace)",
                b.whyNot());
        assertEquals(Set.of(PID, NET), b.ownNamespaces());
    }

    @Test
    void exitedSessionLeaderIsJudgedByNsSid() throws HaulException {
        Map<Long, ContainerInfo> trees = listByRoot();
        assertTrue(trees.get(400L).migratable(), trees.get(400L).whyNot());
        assertFalse(trees.get(500L).migratable());
        assertTrue(trees.get(500L).whyNot().startsWith("session leader 501 is outside"), trees.get(500L).whyNot());
    }

    @Test
    void commandIsCutAt200AndZombiesShowTheirComm() throws HaulException {
        Map<Long, ContainerInfo> trees = listByRoot();
        assertEquals(200, trees.get(500L).command().length());
        assertEquals("[sh]", trees.get(400L).command());
    }

    @Test
    void inspectExplainsWhatAPidIs() throws HaulException {
        listByRoot();
        assertEquals(2, backend.inspect("100").processes());
        assertCode("container.bad-id", "'abc'", () -> backend.inspect("abc"));
        assertCode("container.bad-id", "'-5'", () -> backend.inspect("-5"));
        assertCode("container.not-found", "no process 4242 on this host", () -> backend.inspect("4242"));
        assertCode("container.not-a-tree", "pid 7 is not in its own PID namespace; haul:ps lists the trees that can be migrated",
                () -> backend.inspect("7"));
        assertCode("container.not-a-tree", "pid 101 is pid 2 inside the PID namespace of tree 100: migrate process:100",
                () -> backend.inspect("101"));
        assertCode("container.not-a-tree", "has no NSpid", () -> backend.inspect("300"));
        assertCode("container.not-found", "no process 103", () -> backend.inspect("103"));
    }

    @Test
    void aSourceSessionLooksAgainAndDumpsTheTreeWithItsConnectionsAndLocks() throws HaulException {
        ContainerInfo a = listByRoot().get(100L);
        try (SourceSession session = backend.openSource(a, folders())) {
            SourcePlan plan = session.check();
            assertEquals(100, plan.container().rootPid());
            assertEquals(new ContainerManifest("process", "100", Map.of("cwd", "/srv/work")), plan.manifest());
            CriuOptions dump = ((CriuSourceSession) session).dumpOptions();
            assertTrue(dump.has(Flag.TCP_ESTABLISHED));
            assertTrue(dump.has(Flag.FILE_LOCKS));
            assertFalse(dump.has(Flag.SHELL_JOB), "the session leader is inside");
            assertEquals(java.util.List.of(), dump.externals());
        }
        try (DestinationSession session = backend.openDestination(
                new ContainerManifest("process", "100", Map.of("cwd", "/srv/work")), folders())) {
            assertEquals(CriuOptions.NONE, ((CriuDestinationSession) session).restoreOptions(),
                    "the host's root and namespaces: what a tree's own namespaces need, their handlers say");
        }
    }

    @Test
    void aSessionRefusesWhatCannotMove() throws HaulException {
        ContainerInfo b = listByRoot().get(200L);
        assertCode("container.not-migratable", "session leader 7", () -> backend.openSource(b, folders()).check());
        assertCode("container.bad-manifest", "docker",
                () -> backend.openDestination(new ContainerManifest("docker", "web", Map.of()), folders()));
    }

    private MigrationFolders folders() {
        return new MigrationFolders("m-1", dir.resolve("images"), dir.resolve("ahead"), dir.resolve("logs"));
    }

    @Test
    void usability() throws Exception {
        assertTrue(new ProcessBackend(new ProcFs(proc.root())).usability().usable());

        assertFalse(new ProcessBackend(new ProcFs(dir.resolve("missing"))).usability().usable());

        Path other = Files.createDirectory(dir.resolve("user"));
        new FakeProc(other).self(60, 1000);
        var notRoot = new ProcessBackend(new ProcFs(other)).usability();
        assertFalse(notRoot.usable());
        assertTrue(notRoot.reason().contains("uid 1000"), notRoot.reason());

        Path old = Files.createDirectory(dir.resolve("old"));
        new FakeProc(old).entry("self").hostNamespaces().status("Uid:\t0\t0\t0\t0\n");
        var oldKernel = new ProcessBackend(new ProcFs(old)).usability();
        assertFalse(oldKernel.usable());
        assertTrue(oldKernel.reason().contains("NSpid"), oldKernel.reason());
    }

    static void assertCode(String code, String messagePart, Executable call) {
        HaulException e = assertThrows(HaulException.class, call);
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), () -> "'" + e.getMessage() + "' should contain '" + messagePart + "'");
    }
}
