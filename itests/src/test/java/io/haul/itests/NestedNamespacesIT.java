package io.haul.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.haul.itests.Requirements.HostNeeds;
import io.haul.itests.Requirements.Need;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Trees with namespaces nested in them, built with {@code unshare} inside {@code unshare}, as a user migrates them
 * ({@code ./haul migrate}, {@code ./haul ps}, {@code ./haul namespaces}) between two agents: each nesting CRIU
 * cannot carry refused in the checks, before anything freezes, the tree untouched; a nested mount namespace with a
 * tmpfs of its own moved there, back and on again with its file; a nested network namespace joined to the tree's by
 * a veth moved with its addresses. Hosts hnestA/hnestB (169.254.92.1/.2), cluster hnest.
 */
@HostNeeds({Need.ROOT, Need.UNSHARE, Need.CRIU})
public class NestedNamespacesIT {

    private static final double MIGRATE_SECONDS = 240;

    private static TwoHostCluster cluster;

    /** Root's subordinate ids for both agents (haul.namespace.user subuidFile, subgidFile), not the host's /etc. */
    private static java.nio.file.Path subuid;

    @BeforeClass
    public static void startCluster() throws Exception {
        java.nio.file.Path ids = Files.createTempDirectory("haul-nest-ids");
        subuid = Files.writeString(ids.resolve("subuid"), SET_ASIDE);
        java.nio.file.Path subgid = Files.writeString(ids.resolve("subgid"), SET_ASIDE);
        cluster = TwoHostCluster.start(NestedNamespacesIT.class, new TwoHostCluster.Options()
                .hosts("hnestA", "169.254.92.1", "hnestB", "169.254.92.2").clusterName("hnest")
                .configuration("haul.namespace.user.cfg", "subuidFile=" + subuid + "\nsubgidFile=" + subgid + "\n"));
    }

    private static final String SET_ASIDE = "root:100000:65536\n";

    @AfterClass
    public static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * A child in a nested UTS, IPC, PID or user namespace: CRIU cannot dump any of them, so the checks refuse the
     * migration naming the task, the kind and the inode; nothing froze, and every task runs on where it was. So are
     * a nested mount or network namespace below a root in the host's (the "./run/netns/OTHER doesn't have a
     * proper root mount"; with the host's mounts detected CRIU dumps it, and then its restore stops at "Can't restore
     * sub-task in NS"), with the way out.
     * haul:ps says so beforehand, and haul:namespaces shows the nested instance refused.
     */
    @Test
    public void nestingsCriuCannotCarryAreRefusedInTheChecksAndTheTreeRunsOnUntouched() throws Exception {
        Map<String, String> kinds = new java.util.LinkedHashMap<>();
        kinds.put("uts", "-u");
        kinds.put("ipc", "-i");
        kinds.put("pid", "-p -f");
        kinds.put("user", "-U");
        // kinds CRIU nests, below a root that shares the host's: CRIU would dump them and fail to restore them
        kinds.put("mnt", "-m");
        kinds.put("net", "-n");
        for (Map.Entry<String, String> kind : kinds.entrySet()) {
            String label = kind.getKey().toUpperCase(Locale.ROOT);
            boolean counts = !kind.getKey().equals("user"); // nobody inside a user namespace without a map may write
            try (NestedTree tree = NestedTree.start(cluster, "nested-" + kind.getKey(), List.of(), kind.getValue(), "",
                    counts ? NestedTree.CHILD_COUNTER : NestedTree.CHILD_WAITS)) {
                long root = tree.root();
                long nested = tree.nestedTask(kind.getKey());
                String inode = Procs.namespace(nested, kind.getKey());
                List<Procs.Task> before = tree.tasks();

                Commands.Result ps = cluster.client(cluster.a, "ps", "process");
                String row = ps.stdout().lines().filter(l -> l.startsWith("process:" + root + " ")).findFirst()
                        .orElseThrow(() -> new AssertionError("ps lists process:" + root + ":\n" + ps.output()));
                assertTrue("ps marks the nesting and says no, naming it:\n" + row, row.contains(" " + kind.getKey() + " ")
                        && row.contains("no: ") && row.contains(inode));
                if (kind.getKey().equals("pid")) {
                    assertTrue("ps does not list the nested PID namespace's init as a tree of its own:\n" + ps.output(),
                            ps.stdout().lines().noneMatch(l -> l.startsWith("process:" + nested + " ")));
                }
                JsonNode report = cluster.json(cluster.a, "namespaces", "--json", "process:" + root);
                assertTrue("haul:namespaces refuses the nested " + kind.getKey() + " instance:\n" + report.toPrettyString(),
                        verdict(report, kind.getKey(), "NESTED").path("action").asText().equals("REFUSED"));

                Commands.Result result = cluster.clientLive(cluster.a, "migrate", "process:" + root, "--to",
                        cluster.b.name).result(MIGRATE_SECONDS);
                String out = result.output();
                System.out.println("NestedNamespacesIT " + kind.getKey() + ":\n" + out);
                assertNotEquals("the migration fails:\n" + out, 0, result.exitCode());
                assertTrue("the refusal names the task, the kind and the inode:\n" + out, out.contains("nested " + label
                        + " namespace of pid " + nested + " (") && out.contains(inode));
                assertTrue("it was refused in the checks:\n" + out, out.contains("rolled back in CHECKS"));
                if (kind.getKey().equals("mnt") || kind.getKey().equals("net")) {
                    assertTrue("the refusal says the way out:\n" + out, out.contains("unshare " + kind.getValue()));
                }
                assertFalse("nothing froze:\n" + out, out.contains("FINAL_DUMP"));

                List<Long> pidsNow = tree.tasks().stream().map(Procs.Task::pid).toList();
                java.util.Map<Long, String> commandOf = before.stream().collect(java.util.stream.Collectors.toMap(
                        Procs.Task::pid, Procs.Task::cmdline));
                for (Procs.Task task : before) {
                    if (task.cmdline().startsWith("sleep") || task.cmdline().equals(commandOf.get(task.ppid()))) {
                        continue; // the loops' own sleeps come and go, and so do their shells' forks for mv and cat
                    }
                    assertTrue("task " + task + " runs on at " + cluster.a, pidsNow.contains(task.pid()));
                }
                assertTrue("no task is stopped: " + tree.tasks(), tree.tasks().stream().noneMatch(Procs.Task::frozen));
                tree.awaitCountAbove("root", tree.count("root"), 10);
                if (counts) {
                    tree.awaitCountAbove("child", tree.count("child"), 10);
                }
            }
        }
    }

    /**
     * A tree in a mount namespace of its own whose child ran {@code unshare -m} and mounted a tmpfs holding a file:
     * moved from A to B, back to A and on to B, each time ps on its host says it can move, and after each move both
     * tasks go on counting from where they were and the child still sees its file, which the host never sees.
     */
    @Test
    public void aNestedMountNamespaceWithATmpfsMovesThereBackAndOnAgainWithItsFile() throws Exception {
        try (NestedTree tree = NestedTree.start(cluster, "nested-mnt", List.of("-m"), "-m",
                "mount -t tmpfs none \"$D/m\" && echo kept-in-tmpfs > \"$D/m/f\"", NestedTree.CHILD_COUNTER)) {
            tree.awaitCountAbove("child", 1, 10);
            assertTrue("the child sees its tmpfs file: " + tree.line("child"), tree.line("child").orElse("")
                    .endsWith(" kept-in-tmpfs"));
            assertFalse("the host does not see the tmpfs", Files.exists(tree.dir.resolve("m/f")));
            JsonNode report = cluster.json(cluster.a, "namespaces", "--json", "process:" + tree.root());
            assertEquals("haul:namespaces: the nested mount namespace moves with Haul's help:\n" + report.toPrettyString(),
                    "MOVED_WITH_HAUL", verdict(report, "mnt", "NESTED").path("action").asText());
            TwoHostCluster.Agent from = cluster.a;
            List<Long> frozen = new ArrayList<>();
            for (TwoHostCluster.Agent to : List.of(cluster.b, cluster.a, cluster.b)) {
                long root = tree.root();
                Commands.Result ps = cluster.client(from, "ps", "process");
                assertTrue("ps on " + from + " says process:" + root + " can move, nested mnt:\n" + ps.output(),
                        ps.stdout().lines().anyMatch(l -> l.startsWith("process:" + root + " ") && l.contains(" mnt ")
                                && l.contains(" yes ")));
                long rootCount = tree.count("root");
                long childCount = tree.count("child");
                Commands.Result result = cluster.clientLive(from, "migrate", "process:" + root, "--to", to.name)
                        .result(MIGRATE_SECONDS);
                System.out.println("NestedNamespacesIT mnt " + from + " -> " + to + ":\n" + result.output());
                assertEquals("process:" + root + " moves from " + from + " to " + to + ":\n" + result.output(), 0,
                        result.exitCode());
                new MigrateOutput(result.stdout()).frozenMillis().ifPresent(ms -> frozen.add(Math.round(ms)));
                assertOneCopyIn(tree, to);
                assertTrue("the root counts on from " + rootCount, tree.awaitCountAbove("root", rootCount, 10) > rootCount);
                tree.awaitCountAbove("child", childCount, 10);
                assertTrue("the child went on from its count and still sees its file on " + to + ": "
                        + tree.line("child"), tree.line("child").orElse("").endsWith(" kept-in-tmpfs"));
                long child = tree.nestedTask("mnt");
                assertEquals("the file is in the child's own mount namespace on " + to, "kept-in-tmpfs",
                        Commands.run(List.of("nsenter", "-t", Long.toString(child), "-m", "cat",
                                tree.dir.resolve("m/f").toString()), 30).stdout().strip());
                assertFalse("the host still does not see it", Files.exists(tree.dir.resolve("m/f")));
                from = to;
            }
            System.out.println("NestedNamespacesIT figures: nested mnt tree frozen " + frozen + " ms in its three moves");
        }
    }

    /**
     * A tree in a network namespace of its own whose child made another, joined to it by a veth pair with an
     * address at each end: moved, each end has its address on the destination and a connection across the veth
     * works.
     */
    @Test
    public void aNestedNetworkNamespaceWithAVethToTheTreesMovesWithItsAddresses() throws Exception {
        try (NestedTree tree = NestedTree.start(cluster, "nested-net", List.of("-n"), "-n", "",
                NestedTree.CHILD_COUNTER)) {
            long root = tree.root();
            long child = tree.nestedTask("net");
            ip(root, "link", "set", "lo", "up");
            ip(root, "link", "add", "nv0", "type", "veth", "peer", "name", "nv1", "netns", Long.toString(child));
            ip(root, "addr", "add", "169.254.92.101/30", "dev", "nv0");
            ip(root, "link", "set", "nv0", "up");
            ip(child, "link", "set", "lo", "up");
            ip(child, "addr", "add", "169.254.92.102/30", "dev", "nv1");
            ip(child, "link", "set", "nv1", "up");
            assertConnects(root, child);
            System.out.println("NestedNamespacesIT ./haul namespaces process:" + root + ":\n"
                    + cluster.client(cluster.a, "namespaces", "process:" + root).output());
            JsonNode report = cluster.json(cluster.a, "namespaces", "--json", "process:" + root);
            assertEquals("haul:namespaces: the nested network namespace moves:\n" + report.toPrettyString(),
                    "MOVED_BY_CRIU", verdict(report, "net", "NESTED").path("action").asText());

            long childCount = tree.count("child");
            Commands.Result result = cluster.clientLive(cluster.a, "migrate", "process:" + root, "--to", cluster.b.name)
                    .result(MIGRATE_SECONDS);
            System.out.println("NestedNamespacesIT net:\n" + result.output());
            assertEquals("the tree moves:\n" + result.output(), 0, result.exitCode());
            tree.awaitCountAbove("child", childCount, 10);
            long newRoot = tree.root();
            long newChild = tree.nestedTask("net");
            assertNotEquals("the nested namespace is still the child's own", Procs.namespace(newRoot, "net"),
                    Procs.namespace(newChild, "net"));
            assertTrue("the root's end has its address", ipAddr(newRoot).contains("169.254.92.101"));
            assertTrue("the child's end has its address", ipAddr(newChild).contains("169.254.92.102"));
            assertConnects(newRoot, newChild);
        }
    }

    /**
     * A tree in a user namespace of its own, shaped as an unprivileged container is (its own mount and PID namespaces
     * and /proc, pivoted into a busybox root file system): with an unprivileged map (0 100000 65536) moved A to B and
     * back to A, with a privileged one (0 0 4294967295) A to B. Before each move ps says it can move and
     * haul:namespaces has CRIU move the user namespace; after each, one copy runs on the destination, its count goes on
     * from where it was, and it runs with the same ids inside, the same map, and as the same host uid.
     */
    @Test
    public void aTreeInItsOwnUserNamespaceMovesWithItsMapPrivilegedOrNot() throws Exception {
        String unmet = BusyboxRootfs.unmet();
        org.junit.Assume.assumeTrue("skipped: " + unmet, unmet == null);
        BusyboxRootfs busybox = BusyboxRootfs.make(cluster.work.resolve("busybox"));
        record Case(String map, long hostId, List<TwoHostCluster.Agent> hops) {
        }
        List<Long> frozen = new ArrayList<>();
        for (Case c : List.of(new Case("0 100000 65536", 100000, List.of(cluster.b, cluster.a)),
                new Case("0 0 4294967295", 0, List.of(cluster.b)))) {
            try (UserNamespaceTree tree = UserNamespaceTree.start(cluster, busybox, c.map(), c.hostId())) {
                String ids = tree.ids();
                assertEquals("inside, the tree is root with its map", "0 0 " + c.map(), ids);
                assertEquals("on the host it runs as " + c.hostId(), c.hostId(), hostUid(tree.root()));
                JsonNode report = cluster.json(cluster.a, "namespaces", "--json", "process:" + tree.root());
                assertEquals("haul:namespaces: CRIU moves the tree's own user namespace:\n" + report.toPrettyString(),
                        "MOVED_BY_CRIU", verdict(report, "user", "CONTAINER").path("action").asText());
                if (c.hostId() != 0) {
                    assertRefusedWithoutTheIdsSetAside(tree);
                }
                TwoHostCluster.Agent from = cluster.a;
                for (TwoHostCluster.Agent to : c.hops()) {
                    long root = tree.root();
                    Commands.Result ps = cluster.client(from, "ps", "process");
                    assertTrue("ps on " + from + " says process:" + root + " can move:\n" + ps.output(),
                            ps.stdout().lines().anyMatch(l -> l.startsWith("process:" + root + " ") && l.contains(" yes ")));
                    long count = tree.count();
                    Commands.Result result = cluster.clientLive(from, "migrate", "process:" + root, "--to", to.name)
                            .result(MIGRATE_SECONDS);
                    System.out.println("NestedNamespacesIT user namespace (" + c.map() + ") " + from + " -> " + to
                            + ":\n" + result.output());
                    assertEquals("process:" + root + " moves from " + from + " to " + to + ":\n" + result.output(), 0,
                            result.exitCode());
                    new MigrateOutput(result.stdout()).frozenMillis().ifPresent(ms -> frozen.add(Math.round(ms)));
                    List<Procs.Task> tasks = tree.tasks();
                    assertEquals("one copy of the tree runs: " + tasks, 1, tasks.stream().map(Procs.Task::pidNs)
                            .distinct().count());
                    assertTrue("no task is stopped: " + tasks, tasks.stream().noneMatch(Procs.Task::frozen));
                    assertEquals("it runs in " + to + "'s network namespace", Procs.netnsOf(to.name),
                            Procs.namespace(tree.root(), "net"));
                    assertTrue("the count goes on from " + count, tree.awaitCountAbove(count, 10) > count);
                    assertEquals("the same ids and map inside on " + to, ids, tree.ids());
                    assertEquals("the same host uid on " + to, c.hostId(), hostUid(tree.root()));
                    assertNotEquals("still a user namespace of its own", Procs.namespace(ProcessHandle.current().pid(),
                            "user"), Procs.namespace(tree.root(), "user"));
                    from = to;
                }
            }
        }
        System.out.println("NestedNamespacesIT figures: user namespace trees frozen " + frozen + " ms");
    }

    /**
     * A destination that has not set aside the host ids the tree's map uses (its subuid file without root's range)
     * refuses it in the checks, naming the map and the file; the tree runs on at A. The range is set aside again after.
     */
    private static void assertRefusedWithoutTheIdsSetAside(UserNamespaceTree tree) throws Exception {
        Files.writeString(subuid, "alice:300000:65536\n");
        try {
            long root = tree.root();
            Commands.Result result = cluster.clientLive(cluster.a, "migrate", "process:" + root, "--to",
                    cluster.b.name).result(MIGRATE_SECONDS);
            String out = result.output();
            System.out.println("NestedNamespacesIT user namespace, ids not set aside on B:\n" + out);
            assertNotEquals("the migration fails:\n" + out, 0, result.exitCode());
            assertTrue("refused in the checks, naming the map and the file:\n" + out, out.contains("rolled back in CHECKS")
                    && out.contains("namespace.user-ids") && out.contains("0 100000 65536") && out.contains(subuid.toString()));
            assertFalse("nothing froze:\n" + out, out.contains("FINAL_DUMP"));
            assertEquals("the same root runs at A", root, tree.root());
            tree.awaitCountAbove(tree.count(), 10);
        } finally {
            Files.writeString(subuid, SET_ASIDE);
        }
    }

    /** The real uid /proc/PID/status gives, as the host sees it. */
    private static long hostUid(long pid) throws java.io.IOException {
        return Files.readAllLines(java.nio.file.Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("Uid:")).map(l -> Long.parseLong(l.split("\\s+")[1])).findFirst()
                .orElseThrow();
    }

    /** Exactly one copy of the tree, all of it in {@code host}'s namespaces' world: its root's net is the host's. */
    private static void assertOneCopyIn(NestedTree tree, TwoHostCluster.Agent host) {
        List<Procs.Task> tasks = tree.tasks();
        long pidNamespaces = tasks.stream().map(Procs.Task::pidNs).distinct().count();
        assertEquals("one copy of the tree runs: " + tasks, 1, pidNamespaces);
        assertEquals("it runs in " + host + "'s network namespace", Procs.netnsOf(host.name),
                Procs.namespace(tree.root(), "net"));
        assertTrue("no task is stopped: " + tasks, tasks.stream().noneMatch(Procs.Task::frozen));
    }

    /** The verdict of haul:namespaces --json for the first instance of a kind at a place. */
    private static JsonNode verdict(JsonNode report, String kind, String place) {
        for (JsonNode verdict : report.path("verdicts")) {
            if (verdict.path("instance").path("kind").asText().equalsIgnoreCase(kind)
                    && verdict.path("instance").path("place").asText().equals(place)) {
                return verdict;
            }
        }
        throw new AssertionError("no " + place + " " + kind + " instance in " + report.toPrettyString());
    }

    private static void ip(long pid, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-n", "ip"));
        command.addAll(List.of(args));
        Commands.Result result = Commands.run(command, 30);
        assertEquals(command + ":\n" + result.output(), 0, result.exitCode());
    }

    private static String ipAddr(long pid) throws Exception {
        return Commands.run(List.of("nsenter", "-t", Long.toString(pid), "-n", "ip", "-br", "addr"), 30).stdout();
    }

    /**
     * A line sent from the child's namespace reaches a listener in the root's, across the veth: two probes of the
     * test's own (a perl listener and a perl client, each bounded by timeout and waited for).
     */
    private static void assertConnects(long root, long child) throws Exception {
        Process listener = new ProcessBuilder("nsenter", "-t", Long.toString(root), "-n", "timeout", "20", "perl",
                "-MIO::Socket::INET", "-e", "$| = 1; my $s = IO::Socket::INET->new(LocalAddr => '169.254.92.101', LocalPort"
                + " => 7088, Listen => 1, ReuseAddr => 1) or die \"listen: $!\"; print \"listening\\n\"; my $c = $s->accept;"
                + " print 'got ', scalar(<$c>);").redirectErrorStream(true).start();
        try {
            java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(
                    listener.getInputStream()));
            assertEquals("the probe listens in the root's namespace", "listening", lines.readLine());
            Commands.Result sent = Commands.run(List.of("nsenter", "-t", Long.toString(child), "-n", "timeout", "20",
                    "perl", "-MIO::Socket::INET", "-e", "my $c = IO::Socket::INET->new(PeerAddr => '169.254.92.101:7088')"
                    + " or die \"connect: $!\"; print $c \"across the veth\\n\";"), 30);
            assertEquals("the child's namespace reaches the root's across the veth:\n" + sent.output(), 0,
                    sent.exitCode());
            assertEquals("got across the veth", lines.readLine());
        } finally {
            listener.destroyForcibly();
            listener.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
