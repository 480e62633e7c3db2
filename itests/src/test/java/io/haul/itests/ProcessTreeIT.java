package io.haul.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.haul.api.backend.ContainerInfo;
import io.haul.api.namespace.NamespaceKind;
import io.haul.itests.Requirements.HostNeeds;
import io.haul.itests.Requirements.Need;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;

/**
 * A process tree in its own PID namespace, started the way MACHINE.md says a migratable one is (setsid inside
 * the namespace, no host files open), shows in {@code haul:ps} with its size and as migratable.
 */
@RunWith(HaulExam.class)
@HostNeeds({Need.ROOT, Need.UNSHARE}) // a PID namespace needs CAP_SYS_ADMIN
@ExamReactorStrategy(PerClass.class)
public class ProcessTreeIT {

    private static final long TREE_DEADLINE_MS = 10_000;

    @Inject
    private BundleContext context;

    private Process unshare;
    private long root = -1;

    @Configuration
    public Option[] configuration() {
        return HaulRuntime.configuration(getClass());
    }

    @Before
    public void startTree() throws Exception {
        Path unshareBinary = Commands.which("unshare");
        File devNull = new File("/dev/null");
        unshare = new ProcessBuilder(unshareBinary.toString(), "-p", "-f", "--mount-proc", "setsid", "sh", "-c",
                "sleep 600 & sleep 600 & wait")
                .redirectInput(ProcessBuilder.Redirect.from(devNull))
                .redirectOutput(ProcessBuilder.Redirect.to(devNull))
                .redirectError(ProcessBuilder.Redirect.to(devNull))
                .start();
        this.root = awaitTreeRoot(unshare.pid());
    }

    /**
     * The namespace's init (unshare's child) once it is sh with its two sleeps. No event tells when a process
     * has exec'd and forked, so /proc is polled, with a deadline.
     */
    private static long awaitTreeRoot(long unsharePid) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + TREE_DEADLINE_MS;
        String seen = "nothing";
        while (System.currentTimeMillis() < deadline) {
            Optional<String> children = read(Path.of("/proc", Long.toString(unsharePid), "task", Long.toString(unsharePid), "children"));
            if (children.isEmpty()) {
                throw new AssertionError("unshare (pid " + unsharePid + ") exited before its tree was up");
            }
            String[] kids = children.get().isBlank() ? new String[0] : children.get().strip().split("\\s+");
            if (kids.length == 1) {
                long candidate = Long.parseLong(kids[0]);
                String cmdline = read(Path.of("/proc", kids[0], "cmdline")).orElse("").replace('\0', ' ').strip();
                String grandKids = read(Path.of("/proc", kids[0], "task", kids[0], "children")).orElse("").strip();
                seen = "child " + candidate + " '" + cmdline + "' with children [" + grandKids + "]";
                if (cmdline.startsWith("sh ") && !grandKids.isEmpty() && grandKids.split("\\s+").length == 2) {
                    return candidate;
                }
            }
            Thread.sleep(20); // polling /proc: there is no event for "exec'd and forked"
        }
        throw new AssertionError("the tree of unshare " + unsharePid + " was not up within " + TREE_DEADLINE_MS
                + " ms; last seen: " + seen);
    }

    private static Optional<String> read(Path path) throws IOException {
        try {
            return Optional.of(new String(Files.readAllBytes(path), StandardCharsets.UTF_8));
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @After
    public void killTree() throws Exception {
        // a PID namespace's init ignores SIGTERM: SIGKILL it, which takes the sleeps with it
        if (root > 0) {
            ProcessHandle.of(root).ifPresent(ProcessHandle::destroyForcibly);
        }
        if (unshare != null) {
            ProcessHandle.of(unshare.pid()).ifPresent(ProcessHandle::destroyForcibly);
            assertTrue("unshare " + unshare.pid() + " did not exit after SIGKILL", unshare.waitFor(10, TimeUnit.SECONDS));
        }
    }

    @Test
    public void psOfTheProcessBackendListsTheTreeAsMigratable() throws Exception {
        assertTreeListed("haul:ps process");
    }

    @Test
    public void psOfAllBackendsListsTheTreeToo() throws Exception {
        assertTreeListed("haul:ps");
    }

    private void assertTreeListed(String command) throws Exception {
        try (Shell shell = new Shell(context)) {
            Object result = shell.run(command);
            String text = shell.format(result);
            List<Object> containers = Shell.list(result, "containers");
            ContainerInfo tree = containers.stream().map(ContainerInfo.class::cast)
                    .filter(c -> c.ref().toString().equals("process:" + root)).findFirst()
                    .orElseThrow(() -> new AssertionError(command + " does not list process:" + root + ":\n" + text));
            assertEquals(command + ": root pid", root, tree.rootPid());
            assertEquals(command + ": sh and its two sleeps\n" + text, 3, tree.processes());
            assertTrue(command + ": migratable, but: " + tree.whyNot(), tree.migratable());
            assertTrue(command + ": its own PID namespace: " + tree.ownNamespaces(), tree.ownNamespaces().contains(NamespaceKind.PID));
            assertTrue(command + ": the command is the shell's: " + tree.command(), tree.command().startsWith("sh -c"));
            assertTrue(command + " prints the tree as a migratable row:\n" + text, text.lines()
                    .anyMatch(line -> line.startsWith("process:" + root + " ") && line.matches(".*\\s3\\s.*\\syes\\s+sh -c.*")));
        }
    }
}
