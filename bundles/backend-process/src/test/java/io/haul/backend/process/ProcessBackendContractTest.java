package io.haul.backend.process;

import io.haul.api.backend.ContainerBackend;
import io.haul.backend.testkit.BackendContract;
import io.haul.host.proc.ProcessTree;
import io.haul.host.proc.TaskStat;
import java.io.File;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The backend contract, on this host's /proc, with a tree started in a PID namespace of its own. */
class ProcessBackendContractTest extends BackendContract {

    private Process unshare;

    @Override
    protected ContainerBackend newBackend() {
        return new ProcessBackend();
    }

    @Override
    protected String name() {
        return ProcessBackend.NAME;
    }

    @Override
    protected String missingId() {
        return "999999999";
    }

    @Override
    protected Optional<String> startContainer() throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.empty();
        }
        unshare = new ProcessBuilder("unshare", "-p", "-f", "setsid", "sleep", "600")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        // No event says the namespace's init exec'd sleep: /proc is polled. Until it is "sleep", setsid may not
        // have run yet and the tree is still in this JVM's session (a CI run once caught it there).
        while (System.nanoTime() < deadline) {
            List<Long> tree = ProcessTree.processes(unshare.pid());
            if (tree.size() == 2 && ProcessTree.isNamespaceInit(tree.get(1)) && execdSleep(tree.get(1))) {
                return Optional.of(Long.toString(tree.get(1)));
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the tree did not come up: " + ProcessTree.processes(unshare.pid()));
    }

    private static boolean execdSleep(long pid) {
        return TaskStat.read(pid).map(stat -> stat.comm().equals("sleep")).orElse(false);
    }

    @Override
    protected String whyNoContainer() {
        return "starting a tree in a PID namespace of its own needs root";
    }

    @Override
    protected void stopContainer() throws Exception {
        if (unshare != null) {
            ProcessTree.kill(unshare.pid()); // the namespace's init ignores SIGTERM: SIGKILL to the whole tree
            unshare.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
