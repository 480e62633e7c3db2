package io.haul.host.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.haul.api.namespace.NamespaceInstance;
import io.haul.api.namespace.NamespaceInstance.Place;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespaceTree;
import java.io.File;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NamespacesTest {

    private final Namespaces namespaces = Namespaces.system();

    @Test
    void theAgentSharesEverythingWithItself() {
        NamespaceTree tree = namespaces.treeOf(ProcessHandle.current().pid());
        assertTrue(tree.kindsToMove().isEmpty(), "nothing of the test JVM's own is not the host's: " + tree);
        assertEquals(List.of(), tree.of(NamespaceKind.UTS).stream().filter(i -> i.place() != Place.HOST).toList());
        assertTrue(namespaces.own(NamespaceKind.NET).isPresent(), "this kernel has network namespaces");
    }

    @Test
    void readsTheInodeOfALink() {
        assertEquals(Optional.of(4026531840L), Namespaces.inodeOfLink("net:[4026531840]"));
        assertEquals(Optional.empty(), Namespaces.inodeOfLink("socket:[12]x"));
        assertEquals(Optional.empty(), Namespaces.inodeOfLink("garbage"));
    }

    /**
     * A tree in a UTS namespace of its own whose child made another one below it: the root's is the container's,
     * the child's nested, both owned by the host's user namespace; the PID namespace is the host's.
     */
    @Test
    void findsANamespaceADescendantMade() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "unshare needs root");
        Process tree = new ProcessBuilder("unshare", "--uts", "sh", "-c", "unshare --uts sleep 60 & wait")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long root = tree.pid(); // unshare execs sh in its namespace: same pid
            List<Long> tasks = awaitTasks(root, 2);
            NamespaceTree found = namespaces.tree(tasks);

            List<NamespaceInstance> uts = found.of(NamespaceKind.UTS);
            assertEquals(2, uts.size(), "the container's and the nested one: " + uts);
            assertEquals(Place.CONTAINER, uts.get(0).place());
            assertEquals(List.of(root), uts.get(0).pids());
            assertEquals(Place.NESTED, uts.get(1).place());
            assertEquals(List.of(tasks.get(1)), uts.get(1).pids());
            long hostUser = namespaces.own(NamespaceKind.USER).orElseThrow();
            assertEquals(hostUser, uts.get(1).ownerUserNs(), "owned by the host's user namespace (NS_GET_USERNS)");
            assertEquals(Place.HOST, found.of(NamespaceKind.PID).getFirst().place());
            assertTrue(found.nested());
            assertEquals(java.util.Set.of(NamespaceKind.UTS), found.kindsToMove());
        } finally {
            ProcessTree.kill(tree.pid());
            tree.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The tree's tasks once the child has exec'd into its own namespace (no event tells: /proc is polled). */
    private List<Long> awaitTasks(long root, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            List<Long> tasks = ProcessTree.processes(root);
            if (tasks.size() == count && !namespaces.inode(tasks.get(1), NamespaceKind.UTS)
                    .equals(namespaces.inode(root, NamespaceKind.UTS))) {
                return tasks;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the tree of " + root + " did not come up: " + tasks);
            }
            Thread.sleep(10);
        }
    }
}
