package io.haul.backend.process;

import static io.haul.backend.process.ProcessBackendTest.assertCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.haul.api.HaulException;
import io.haul.api.backend.ContainerInfo;
import io.haul.api.backend.MigrationFolders;
import io.haul.api.backend.SourcePlan;
import io.haul.api.namespace.NamespaceKind;
import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The backend on this host's real /proc, against trees started with unshare. Needs root and unshare. */
class ProcessBackendLiveTest {

    private static final MigrationFolders FOLDERS = new MigrationFolders("m-1", Path.of("/nonexistent/images"),
            Path.of("/nonexistent/ahead"), Path.of("/nonexistent/logs"));

    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final File DEV_NULL = new File("/dev/null");

    private final ProcessBackend backend = new ProcessBackend();
    private final ProcFs proc = ProcFs.system();
    private Process unshare;
    private long root = -1;

    @BeforeEach
    void needsRootAndUnshare() throws IOException {
        Assumptions.assumeTrue(proc.selfStatus().effectiveUid() == 0,
                "skipped: starting a tree in a new PID namespace needs root");
        Assumptions.assumeTrue(onPath("unshare"), "skipped: unshare(1) is not on PATH");
    }

    @AfterEach
    void stopEverythingStarted() throws InterruptedException {
        // the namespace's init ignores SIGTERM, and its death takes the whole namespace with it
        if (root > 0) {
            ProcessHandle.of(root).ifPresent(ProcessHandle::destroyForcibly);
        }
        if (unshare != null) {
            unshare.destroyForcibly();
            unshare.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void treeInItsOwnNamespace() throws Exception {
        start("setsid", "sh", "-c", "sleep 300 & sleep 300 & wait");
        ContainerInfo tree = awaitTree(t -> t.processes() == 3);

        assertEquals("process:" + root, tree.ref().toString());
        assertEquals(root, tree.rootPid());
        assertTrue(tree.migratable(), tree.whyNot());
        assertTrue(tree.ownNamespaces().containsAll(List.of(NamespaceKind.PID, NamespaceKind.MNT)),
                tree.ownNamespaces().toString());
        assertTrue(tree.command().contains("sleep 300 & sleep 300 & wait"), tree.command());
        assertTrue(tree.rssBytes() > 0);

        long child = children(root).getFirst();
        assertCode("container.not-a-tree", "inside the PID namespace of tree " + root + ": migrate process:" + root,
                () -> backend.inspect(Long.toString(child)));
        assertCode("container.not-a-tree", "pid " + unshare.pid() + " is not in its own PID namespace",
                () -> backend.inspect(Long.toString(unshare.pid())));
        assertCode("container.not-found", "no process 999999999 on this host", () -> backend.inspect("999999999"));
        assertCode("container.bad-id", "'abc'", () -> backend.inspect("abc"));

        SourcePlan plan = backend.openSource(backend.inspect(Long.toString(root)), FOLDERS).check();
        assertEquals(root, plan.container().rootPid());
        assertEquals(Files.readSymbolicLink(Path.of("/proc", Long.toString(root), "cwd")).toString(),
                plan.manifest().facts().get("cwd"));
        assertTrue(plan.container().ownNamespaces().containsAll(List.of(NamespaceKind.PID, NamespaceKind.MNT)),
                plan.container().ownNamespaces().toString());
    }

    @Test
    void sessionLeaderOutsideIsNotMigratable() throws Exception {
        // no setsid: the tree stays in the session of unshare or of this JVM, both outside the namespace
        start("sh", "-c", "sleep 300");
        ContainerInfo tree = awaitTree(t -> true);

        assertFalse(tree.migratable());
        long sid = proc.stat(root).session();
        assertTrue(tree.whyNot().contains("session leader " + (sid == 0 ? "" : sid + " ") + "is outside"), tree.whyNot());
        assertCode("container.not-migratable", "setsid", () -> backend.openSource(tree, FOLDERS).check());
    }

    private void start(String... workload) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("unshare", "-p", "-f", "--mount-proc"));
        command.addAll(List.of(workload));
        unshare = new ProcessBuilder(command).redirectInput(Redirect.from(DEV_NULL))
                .redirectOutput(Redirect.to(DEV_NULL)).redirectError(Redirect.to(DEV_NULL)).start();
        // unshare forks the namespace's init; there is no event for that, so poll with a deadline
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (root < 0) {
            children(unshare.pid()).stream().findFirst().ifPresent(pid -> root = pid);
            if (root < 0) {
                if (!unshare.isAlive() || System.nanoTime() > deadline) {
                    fail("unshare (pid " + unshare.pid() + ") started no child within " + DEADLINE);
                }
                Thread.sleep(20);
            }
        }
    }

    /** Polls list() until it shows our tree in the wanted shape (processes start a little after their parent). */
    private ContainerInfo awaitTree(Predicate<ContainerInfo> ready) throws HaulException, InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        Optional<ContainerInfo> last = Optional.empty();
        while (System.nanoTime() < deadline) {
            last = backend.list().stream().filter(t -> t.rootPid() == root).findFirst();
            if (last.isPresent() && ready.test(last.get())) {
                return last.get();
            }
            Thread.sleep(20);
        }
        return fail("tree " + root + " not listed as wanted within " + DEADLINE + "; last seen: " + last);
    }

    private static List<Long> children(long pid) throws IOException {
        Path file = Path.of("/proc", Long.toString(pid), "task", Long.toString(pid), "children");
        try {
            return Arrays.stream(Files.readString(file).trim().split("\\s+")).filter(s -> !s.isEmpty())
                    .map(Long::parseLong).toList();
        } catch (java.nio.file.NoSuchFileException e) {
            return List.of();
        }
    }

    private static boolean onPath(String program) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, program)));
    }
}
