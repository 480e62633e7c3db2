package io.haul.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.haul.itests.Requirements.HostNeeds;
import io.haul.itests.Requirements.Need;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The fast runtime cells of the fault matrix ({@code ./haul chaos --backend docker|runc} runs the whole subset): a
 * Docker container and a runc container, each running runtime/demo/workload.pl (a counter and checked pages) as its
 * init, moved between two real agents (hosts chrtA and chrtB, 169.254.107.0/24) with a private Docker engine and
 * runc root each, held by the engine's test hold ({@link HeldMigration}) at the cell's step, the fault injected
 * there. Each asserts the promise: exactly one copy of the workload runs, on the host the record says, its counter
 * going on and its pages intact; the record's outcome and error; nothing left behind, the runtime's own leftovers
 * included (its containers on either host, Docker's checkpoints, containerd's copies of them, runc's moved bundles,
 * Haul's runtime holds, CRIU processes).
 */
@HostNeeds({Need.ROOT, Need.UNSHARE, Need.CRIU, Need.DOCKER})
public class RuntimeChaosIT {

    private static final int MIB = 16;
    private static final int STEP_SECONDS = 10;
    private static final int SETTLE_SECONDS = 90;
    private static final String IMAGE = "haul-chaos-perl:1";
    private static final String HOLDS = "source:FILESYSTEM,source:TRANSFER,source:RESTORE,source:COMMIT,"
            + "source:COMMITTED";

    private static TwoHostCluster cluster;
    private static Path base;
    private static Path rootfs;
    private static DockerHost dockerA;
    private static DockerHost dockerB;
    private static RuncHost runcA;
    private static RuncHost runcB;

    private Cell current;
    private Path stateTmpfs;

    @BeforeClass
    public static void startHosts() throws Exception {
        cluster = TwoHostCluster.start(RuntimeChaosIT.class, new TwoHostCluster.Options()
                .hosts("chrtA", "169.254.107.1", "chrtB", "169.254.107.2").clusterName("haulchrt")
                .stepTimeoutSeconds(STEP_SECONDS).engineSetting("testHoldAt", HOLDS));
        try {
            base = Files.createTempDirectory(Path.of("/tmp"), "haul-chrt-"); // short: containerd's socket paths
            Commands.Result made = Commands.run(List.of(cluster.home.resolve("runtime/setup/perl-rootfs.sh").toString(),
                    base.resolve("perl").toString()), 120);
            assertEquals("perl-rootfs.sh: " + made.output(), 0, made.exitCode());
            Path tarball = Path.of(made.stdout().strip());
            rootfs = tarball.resolveSibling("rootfs");
            dockerA = DockerHost.start("chrtdA", cluster.a.name, base.resolve("A"), cluster.work);
            dockerB = DockerHost.start("chrtdB", cluster.b.name, base.resolve("B"), cluster.work);
            dockerA.importImage(tarball, IMAGE);
            dockerB.loadSameImage(dockerA, IMAGE);
            runcA = new RuncHost("chrtrA", cluster.a.name, base.resolve("runcA"));
            runcB = new RuncHost("chrtrB", cluster.b.name, base.resolve("runcB"));
            for (TwoHostCluster.Agent agent : List.of(cluster.a, cluster.b)) {
                RuncHost runc = agent == cluster.a ? runcA : runcB;
                // both hosts share this machine's cgroup tree: a restored copy must not join the frozen source's
                Files.writeString(agent.state.resolve("etc/haul.runc.cfg"), "root=" + runc.root() + "\nbundles="
                        + movedBundles(agent) + "\ncgroupsParent=/haul-chrt-moved-" + agent.name + "\n");
                DockerPlugin.deploy(agent, agent == cluster.a ? dockerA : dockerB);
                DockerPlugin.awaitUsable(cluster, agent, "docker");
                DockerPlugin.awaitUsable(cluster, agent, "runc");
            }
        } catch (Throwable e) {
            stopHosts();
            throw e;
        }
    }

    @AfterClass
    public static void stopHosts() throws Exception {
        for (AutoCloseable host : new AutoCloseable[] {runcA, runcB, dockerA, dockerB}) {
            if (host != null) {
                host.close();
            }
        }
        if (cluster != null) {
            cluster.close();
        }
        if (base != null) {
            Commands.run(List.of("rm", "-rf", "--one-file-system", base.toString()), 60);
        }
    }

    @After
    public void endCell() throws Exception {
        if (current != null) {
            if (current.migrate.isAlive() && cluster.a.alive()) {
                current.held.releaseUntilEnd(current.migrate, SETTLE_SECONDS); // a cell that failed while held
            }
            current.container.remove();
            current = null;
        }
        if (stateTmpfs != null) {
            Commands.run(List.of("umount", "-l", stateTmpfs.toString()), 30);
            stateTmpfs = null;
        }
    }

    private static Path movedBundles(TwoHostCluster.Agent agent) {
        return base.resolve("bundles-" + agent.name);
    }

    /**
     * The files sent ahead of the freeze (the container's writable layer) meet a full disk on the destination: the
     * destination's migrations folder, a small tmpfs, filled to its last byte while the source holds at FILESYSTEM.
     * The migration rolls back before anything froze, saying B has no room, and the container runs on at A.
     */
    @Test
    public void dockerFilesSentAheadMeetAFullDisk() throws Exception {
        stateTmpfs = cluster.b.state.resolve("migrations");
        Files.createDirectories(stateTmpfs);
        TwoHostCluster.run(List.of("mount", "-t", "tmpfs", "-o", "size=256m", "chrt-state", stateTmpfs.toString()),
                30, Map.of());
        Cell cell = start(new DockerContainer());
        cell.held.runTo("source:FILESYSTEM", cell.migrate, 120);
        Path filler = stateTmpfs.resolve("filler");
        Commands.run(List.of("dd", "if=/dev/zero", "of=" + filler, "bs=1M"), 60); // until no space is left
        cell.held.release();
        cell.awaitMigrateEnd();
        Files.delete(filler);
        JsonNode record = cell.assertPromise(cluster.a, "ROLLED_BACK");
        // the destination refuses the next file when its disk has no room left for it, or a write fails for lack of it
        String message = record.path("error").path("message").asText();
        assertTrue("the error says B has no room: " + record.path("error"), message.contains(cluster.b.name)
                && (message.contains("not enough room in ") || message.contains("No space left on device")));
    }

    /**
     * runc's CRIU on the source, which holds the frozen container at post-dump, killed just before the commit
     * point: the dump cannot be undone any more (runc's CRIU, killed, lets the frozen tasks go and runc ends them),
     * and the copy restored on B, held there, is the one that runs: the commit goes ahead.
     */
    @Test
    public void runcSourceCriuKilledAtTheCommitPoint() throws Exception {
        Cell cell = start(new RuncContainer());
        cell.held.runTo("source:COMMIT", cell.migrate, 120);
        List<Procs.Task> criu = criuIn(cluster.a);
        assertTrue("runc's CRIU holds the frozen container on A at the commit point", !criu.isEmpty());
        criu.forEach(t -> ProcessHandle.of(t.pid()).ifPresent(ProcessHandle::destroyForcibly));
        cell.held.release();
        cell.awaitMigrateEnd();
        cell.assertPromise(cluster.b, "SUCCEEDED");
    }

    /** The CRIU processes in the agent's host namespace (a runtime's CRIU runs there too: runc execs it). */
    private static List<Procs.Task> criuIn(TwoHostCluster.Agent agent) {
        String net = Procs.netnsOf(agent.name);
        return Procs.withCommandLineContaining("criu").stream()
                .filter(t -> net.equals(t.netNs()) && t.cmdline().matches("(.*/s?bin/criu( .*)?|(.* )?criu: .*)"))
                .toList();
    }

    // ---- the containers ------------------------------------------------------------------------------

    /** The workload in a container of one runtime on A; its copies are found by its status file's path. */
    private abstract static class Container {
        final String name = "chrt-" + UUID.randomUUID().toString().substring(0, 8);
        final String status = "/chaos-status-" + name;

        abstract String target();

        abstract void start() throws Exception;

        /** The running container's init pid as the runtime of {@code agent}'s host has it, if it runs there. */
        abstract Optional<Long> runningPid(TwoHostCluster.Agent agent) throws Exception;

        /** What this runtime keeps of the container on {@code agent}'s host beyond a copy that runs there. */
        abstract List<String> leftovers(TwoHostCluster.Agent agent, boolean runsHere) throws Exception;

        abstract void remove() throws Exception;

        String[] command() {
            return new String[] {"perl", "/workload.pl", Integer.toString(MIB), status, "1"};
        }

        /** Every task of the workload on this machine, wherever it runs (also one no runtime knows). */
        List<Procs.Task> copies() {
            String wanted = String.join(" ", command());
            return Procs.withCommandLineContaining(status).stream()
                    .filter(t -> t.cmdline().strip().equals(wanted)).toList();
        }

        /** The status line of the copy that counted furthest ("COUNT PID OK|CORRUPT..."), if any copy has one. */
        Optional<String[]> furthest() {
            String[] best = null;
            for (Procs.Task task : copies()) {
                try {
                    String[] line = Files.readString(Path.of("/proc/" + task.pid() + "/root" + status)).strip()
                            .split(" ", 3);
                    if (best == null || Long.parseLong(line[0]) > Long.parseLong(best[0])) {
                        best = line;
                    }
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile, or no status yet: not a counting copy
                }
            }
            return Optional.ofNullable(best);
        }

        long awaitCountAbove(long floor, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            long count = -1;
            while (System.nanoTime() < deadline) {
                count = furthest().map(l -> Long.parseLong(l[0])).orElse(-1L);
                if (count > floor) {
                    return count;
                }
                Thread.sleep(100); // the workload's status file has no event to wait on
            }
            throw new AssertionError(name + ": the workload's count is " + count + ", not above " + floor + " within "
                    + seconds + " s");
        }
    }

    private final class DockerContainer extends Container {
        @Override
        String target() {
            return "docker:" + name;
        }

        @Override
        void start() throws Exception {
            dockerA.run(name, List.of("--network", "none", "-e", "LANG=C"), IMAGE, command());
        }

        private DockerHost docker(TwoHostCluster.Agent agent) {
            return agent == cluster.a ? dockerA : dockerB;
        }

        @Override
        Optional<Long> runningPid(TwoHostCluster.Agent agent) throws Exception {
            Commands.Result pid = docker(agent).cli("inspect", "-f", "{{if .State.Running}}{{.State.Pid}}{{end}}", name);
            return pid.exitCode() == 0 && !pid.stdout().isBlank() ? Optional.of(Long.parseLong(pid.stdout().strip()))
                    : Optional.empty();
        }

        @Override
        List<String> leftovers(TwoHostCluster.Agent agent, boolean runsHere) throws Exception {
            List<String> left = new ArrayList<>();
            DockerHost docker = docker(agent);
            List<String> all = docker.cliOk("ps", "-aq").lines().filter(l -> !l.isBlank()).toList();
            if (all.size() > (runsHere ? 1 : 0)) {
                left.add("containers on " + agent.name + ": " + all);
            }
            Path containers = Path.of(docker.cliOk("info", "-f", "{{.DockerRootDir}}").strip(), "containers");
            try (Stream<Path> checkpoints = Files.walk(containers, 3)) {
                checkpoints.filter(p -> p.getParent() != null && p.getParent().getFileName().toString()
                        .equals("checkpoints")).forEach(p -> left.add("checkpoint on " + agent.name + ": " + p));
            }
            return left;
        }

        @Override
        void remove() throws Exception {
            dockerA.cli("rm", "-f", name);
            dockerB.cli("rm", "-f", name);
        }
    }

    private final class RuncContainer extends Container {
        @Override
        String target() {
            return "runc:" + name;
        }

        @Override
        void start() throws Exception {
            Path bundle = runcA.bundle(name, BusyboxRootfs.of(rootfs.getParent()), command());
            runcA.run(name, bundle);
        }

        private RuncHost runc(TwoHostCluster.Agent agent) {
            return agent == cluster.a ? runcA : runcB;
        }

        @Override
        Optional<Long> runningPid(TwoHostCluster.Agent agent) throws Exception {
            RuncHost runc = runc(agent);
            return runc.list().contains(name) && runc.status(name).equals("running") ? Optional.of(runc.pid(name))
                    : Optional.empty();
        }

        @Override
        List<String> leftovers(TwoHostCluster.Agent agent, boolean runsHere) throws Exception {
            List<String> left = new ArrayList<>();
            List<String> all = runc(agent).list();
            if (all.size() > (runsHere ? 1 : 0)) {
                left.add("runc containers on " + agent.name + ": " + all);
            }
            Path moved = movedBundles(agent).resolve(name);
            if (agent == cluster.b && !runsHere && Files.exists(moved)) {
                left.add("the bundle made on " + agent.name + ": " + moved);
            }
            return left;
        }

        @Override
        void remove() throws Exception {
            for (RuncHost runc : List.of(runcA, runcB)) {
                if (runc.list().contains(name)) {
                    runc.delete(name);
                }
            }
            Commands.run(List.of("rm", "-rf", movedBundles(cluster.b).resolve(name).toString()), 30);
        }
    }

    // ---- a cell --------------------------------------------------------------------------------------

    private Cell start(Container container) throws Exception {
        container.start();
        long before = container.awaitCountAbove(2, 30);
        LiveCommand migrate = cluster.clientLive(cluster.a, "migrate", container.target(), "--to", cluster.b.name,
                "--strategy", "none");
        String first = migrate.awaitLine(l -> l.startsWith("migration "), 60)
                .orElseThrow(() -> new AssertionError("migrate printed no first line:\n" + migrate.output()));
        String id = MigrateOutput.idIn(first).orElseThrow(() -> new AssertionError("no id in: " + first));
        long initOnA = runningPidOrFail(container, cluster.a);
        current = new Cell(id, container, migrate, new HeldMigration(cluster.a, id), before, initOnA, System.nanoTime());
        return current;
    }

    private static long runningPidOrFail(Container container, TwoHostCluster.Agent agent) throws Exception {
        return container.runningPid(agent).orElseThrow(() -> new AssertionError(container.name + " runs on "
                + agent.name));
    }

    private final class Cell {
        final String id;
        final Container container;
        final LiveCommand migrate;
        final HeldMigration held;
        final long countBefore;
        final long initOnA;
        final long begun;

        Cell(String id, Container container, LiveCommand migrate, HeldMigration held, long countBefore, long initOnA,
                long begun) {
            this.id = id;
            this.container = container;
            this.migrate = migrate;
            this.held = held;
            this.countBefore = countBefore;
            this.initOnA = initOnA;
            this.begun = begun;
        }

        void awaitMigrateEnd() throws Exception {
            assertTrue("migrate ended within " + SETTLE_SECONDS + " s:\n" + migrate.output(),
                    held.releaseUntilEnd(migrate, SETTLE_SECONDS));
        }

        /**
         * The promise: the record settled with {@code outcome}; exactly one copy of the workload runs, the one
         * {@code host}'s runtime runs, its count going on past where it was and its pages OK; nothing of the
         * migration left. Returns the record.
         */
        JsonNode assertPromise(TwoHostCluster.Agent host, String outcome) throws Exception {
            JsonNode record = awaitSettled();
            System.out.printf(Locale.ROOT, "RuntimeChaosIT: %s %s %s (%s) in %.1f s, the copy on %s%n",
                    container.target(), id, record.path("outcome").asText(),
                    record.path("error").path("code").asText("-"), (System.nanoTime() - begun) / 1e9, host);
            assertEquals("the record's outcome:\n" + record.toPrettyString(), outcome, record.path("outcome").asText());
            long now = container.awaitCountAbove(countBefore, 30);
            container.awaitCountAbove(now, 10);
            List<Procs.Task> copies = container.copies();
            assertEquals("exactly one copy of the workload runs: " + copies, 1, copies.size());
            assertEquals("the copy that runs is the one " + host.name + "'s runtime runs", Optional.of(copies.get(0).pid()),
                    container.runningPid(host));
            String[] status = container.furthest().orElseThrow();
            assertEquals("every page the workload checks is intact: " + String.join(" ", status), "OK", status[2]);
            List<String> left = awaitNothingLeft(host);
            assertTrue("nothing of migration " + id + " is left: " + left, left.isEmpty());
            return record;
        }

        private JsonNode awaitSettled() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SETTLE_SECONDS);
            JsonNode record = cluster.record(cluster.a, id);
            while ("IN_PROGRESS".equals(record.path("outcome").asText()) && System.nanoTime() < deadline) {
                Thread.sleep(200); // recovery writes the outcome; the test polls the record
                record = cluster.record(cluster.a, id);
            }
            return record;
        }

        private List<String> awaitNothingLeft(TwoHostCluster.Agent host) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            List<String> left = leftBehind(host);
            while (!left.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(200); // nothing announces the end of a cleanup
                left = leftBehind(host);
            }
            return left;
        }

        private List<String> leftBehind(TwoHostCluster.Agent host) throws Exception {
            List<String> left = new ArrayList<>(cluster.leftoverImages(id, cluster.a, cluster.b));
            for (TwoHostCluster.Agent agent : List.of(cluster.a, cluster.b)) {
                left.addAll(container.leftovers(agent, agent == host));
                criuIn(agent).forEach(t -> left.add("CRIU process on " + agent + ": " + t));
                if (Files.exists(agent.state.resolve("migrations").resolve(id).resolve("release-hold"))) {
                    left.add("the hold file on " + agent);
                }
            }
            for (String hold : List.of("restore-" + id, "dump-" + initOnA)) {
                if (Files.exists(Path.of("/run/haul/hold", hold))) {
                    left.add("the runtime hold /run/haul/hold/" + hold);
                }
            }
            try (Stream<Path> temp = Files.list(Path.of("/tmp"))) {
                temp.filter(p -> p.getFileName().toString().startsWith("ctrd-checkpoint"))
                        .filter(p -> marks(p.resolve("haul-hold"), "/run/haul/hold/restore-" + id))
                        .forEach(p -> left.add("containerd's copy of the checkpoint " + p));
            }
            return left;
        }

        private static boolean marks(Path marker, String hold) {
            try {
                return Files.readString(marker).strip().equals(hold);
            } catch (IOException e) {
                return false; // no marker, or gone meanwhile
            }
        }
    }
}
