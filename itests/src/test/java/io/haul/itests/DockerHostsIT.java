package io.haul.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import io.haul.itests.Requirements.HostNeeds;
import io.haul.itests.Requirements.Need;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;

/**
 * The harness of the Docker and runc tests on its own: two namespace hosts of this test's own ({@code hdkA},
 * {@code hdkB}, 169.254.81.1/.2, made by hosts.sh), a Docker engine in each ({@link DockerHost}), the busybox image
 * with the same id on both, a container on hostA, a runc container on hostB ({@link RuncHost}), and everything
 * stopped again with nothing left running, mounted or on disk.
 */
@HostNeeds({Need.ROOT, Need.CRIU, Need.DOCKER})
public class DockerHostsIT {

    private static final String NS_A = "hdkA";
    private static final String NS_B = "hdkB";

    private Path base;
    private Path logs;
    private boolean hostsUp;
    private DockerHost a;
    private DockerHost b;
    private RuncHost runc;

    @Before
    public void check() throws IOException {
        Requirements.assume(DockerHostsIT.class);
        String unmet = TwoHostCluster.unmet();
        Assume.assumeTrue("DockerHostsIT skipped: " + unmet, unmet == null);
        // short: containerd's sockets live under each engine's folder (at most 107 bytes)
        base = Files.createTempDirectory(Path.of("/tmp"), "haul-dk-");
        logs = Path.of(System.getProperty(LaunchProperties.WORK_DIR, "target/itests-work")).toAbsolutePath()
                .resolve("DockerHostsIT-" + Long.toString(System.currentTimeMillis(), 36));
    }

    @Test
    public void twoEnginesShareAnImageRunContainersInTheirHostsAndStopLeavingNothing() throws Exception {
        hosts("up");
        hostsUp = true;
        BusyboxRootfs rootfs = BusyboxRootfs.make(base.resolve("busybox"));

        long begin = System.nanoTime();
        a = DockerHost.start("dkA", NS_A, base.resolve("A"), logs);
        double startA = seconds(begin);
        begin = System.nanoTime();
        b = DockerHost.start("dkB", NS_B, base.resolve("B"), logs);
        double startB = seconds(begin);
        System.out.printf("DockerHostsIT: engines up in %.2f s (A) and %.2f s (B), client %s%n", startA, startB,
                DockerHost.dockerClient().orElseThrow());

        // two engines, each answering on its own socket, each in its own host's network namespace
        String version = a.serverVersion();
        assertFalse("engine A answers with a version", version.isEmpty());
        assertEquals("engine B answers as A does", version, b.serverVersion());
        assertNotEquals("two engines, two dockerd processes", a.pid(), b.pid());
        assertEquals("dockerd of A runs in " + NS_A, Procs.netnsOf(NS_A), Procs.namespace(a.pid(), "net"));
        assertEquals("dockerd of B runs in " + NS_B, Procs.netnsOf(NS_B), Procs.namespace(b.pid(), "net"));
        assertContainerdOf(a, NS_A);
        assertContainerdOf(b, NS_B);
        // runc, under containerd under dockerd, execs `criu` from PATH: Haul's must come first
        String path = environment(a.pid(), "PATH");
        assertTrue("dockerd's PATH starts with Haul's CRIU " + Requirements.CRIU.getParent() + ": " + path,
                path.startsWith(Requirements.CRIU.getParent() + ":"));

        // the same image, the same id, on both
        begin = System.nanoTime();
        String imageA = a.importImage(rootfs);
        double importSeconds = seconds(begin);
        begin = System.nanoTime();
        String imageB = b.loadSameImage(a);
        System.out.printf("DockerHostsIT: image %s imported on A in %.2f s, saved and loaded on B in %.2f s%n", imageA,
                importSeconds, seconds(begin));
        assertTrue("an image id: " + imageA, imageA.startsWith("sha256:"));
        assertEquals("the image has the same id on both hosts", imageA, imageB);

        // a container on A: no network, a named volume; its own network namespace, its shim in A's
        begin = System.nanoTime();
        a.run("dk-none", "dkvol", "sh", "-c", "echo hello > /data/hello; exec sleep 100000");
        double runSeconds = seconds(begin);
        assertEquals("running", a.containerStatus("dk-none"));
        long pid = a.containerPid("dk-none");
        Procs.Task task = Procs.task(pid).orElseThrow(() -> new AssertionError("container pid " + pid + " is gone"));
        List<String> hostNets = List.of(Procs.netnsOf(NS_A), Procs.netnsOf(NS_B),
                Procs.namespace(ProcessHandle.current().pid(), "net"));
        assertFalse("a --network none container has a network namespace of its own, not any host's: " + task,
                hostNets.contains(task.netNs()));
        Procs.Task shim = Procs.task(task.ppid()).orElseThrow(() -> new AssertionError("no parent of " + task));
        assertTrue("the container's parent is a shim of A's containerd: " + shim,
                shim.cmdline().contains("containerd-shim") && shim.cmdline().contains(a.dir() + "/"));
        assertEquals("the shim runs in " + NS_A + ": " + shim, Procs.netnsOf(NS_A), shim.netNs());
        Path volume = a.volumePath("dkvol");
        assertTrue("the volume is in A's data root: " + volume, volume.startsWith(a.dir()));
        awaitContent(volume.resolve("hello"), "hello\n", 10);
        System.out.printf("DockerHostsIT: container dk-none (pid %d) running in %.2f s%n", pid, runSeconds);

        // a container on A in the host's network: literally in A's network namespace
        a.run("dk-host", List.of("--network", "host"), DockerHost.IMAGE, "sleep", "100000");
        long hostPid = a.containerPid("dk-host");
        assertEquals("a --network host container on A runs in " + NS_A, Procs.netnsOf(NS_A),
                Procs.namespace(hostPid, "net"));

        // the engines are separate: B knows nothing of A's containers
        assertEquals("B lists no container", "", b.cliOk("ps", "-aq"));

        // a runc container on B: its own state root, run from B's network namespace into a new one
        runc = new RuncHost("rcB", NS_B, base.resolve("rB"));
        Path bundle = runc.bundle("rc1", rootfs, "sh", "-c",
                "i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done");
        begin = System.nanoTime();
        long runcPid = runc.run("rc1", bundle);
        double runcSeconds = seconds(begin);
        assertEquals("running", runc.status("rc1"));
        assertEquals(runcPid, runc.pid("rc1"));
        assertEquals(List.of("rc1"), runc.list());
        String runcNet = Procs.namespace(runcPid, "net");
        assertFalse("the runc container has a network namespace of its own: " + runcNet, hostNets.contains(runcNet));
        assertNotEquals("the runc container has a PID namespace of its own", Procs.namespace(
                ProcessHandle.current().pid(), "pid"), Procs.namespace(runcPid, "pid"));
        Path count = Path.of("/proc", Long.toString(runcPid), "root", "tmp", "count");
        CounterFile.awaitAbove(count, 3, 10);
        System.out.printf("DockerHostsIT: runc container rc1 (pid %d) running in %.2f s%n", runcPid, runcSeconds);

        // everything stopped by pid, nothing left
        List<Procs.Task> before = new ArrayList<>();
        for (DockerHost host : List.of(a, b)) {
            before.addAll(host.leftovers());
        }
        before.addAll(runc.leftovers());
        assertTrue("the processes to stop include both containers and both engines' dockerd and containerd: " + before,
                before.size() >= 6);
        begin = System.nanoTime();
        a.close();
        double stopA = seconds(begin);
        begin = System.nanoTime();
        b.close();
        double stopB = seconds(begin);
        begin = System.nanoTime();
        runc.close();
        System.out.printf("DockerHostsIT: engines stopped in %.2f s (A, 2 containers) and %.2f s (B), runc host in"
                + " %.2f s%n", stopA, stopB, seconds(begin));
        for (Procs.Task was : before) {
            Procs.task(was.pid()).filter(now -> now.startTicks() == was.startTicks()).ifPresent(now -> {
                throw new AssertionError("still running after close: " + now);
            });
        }
        for (DockerHost host : List.of(a, b)) {
            assertEquals("nothing of " + host + " runs", List.of(), host.leftovers());
            assertEquals("nothing is mounted under " + host.dir(), List.of(), host.mounts());
            assertFalse(host.dir() + " is removed", Files.exists(host.dir()));
        }
        assertEquals("nothing of the runc host runs", List.of(), runc.leftovers());
        assertFalse(runc.dir() + " is removed", Files.exists(runc.dir()));
        assertEquals("no process names the test's folder", List.of(), Procs.withCommandLineContaining(base + "/"));
        hosts("down");
        hostsUp = false;
        assertFalse("namespace " + NS_A + " is removed", Files.exists(Path.of("/run/netns", NS_A)));
    }

    /** Stops whatever a failed test left (the passing test stopped everything already). */
    @After
    public void tearDown() {
        for (AutoCloseable resource : new AutoCloseable[] {runc, a, b}) {
            if (resource != null) {
                try {
                    resource.close();
                } catch (Exception | AssertionError e) {
                    System.out.println("DockerHostsIT: closing " + resource + ": " + e);
                }
            }
        }
        if (hostsUp) {
            try {
                hosts("down");
            } catch (Exception | AssertionError e) {
                System.out.println("DockerHostsIT: hosts.sh down: " + e);
            }
        }
        if (base != null) {
            HaulRuntime.deleteTree(base);
        }
    }

    private static void assertContainerdOf(DockerHost host, String netns) {
        List<Procs.Task> containerd = host.processes().stream()
                .filter(t -> t.cmdline().startsWith("containerd ") && t.ppid() == host.pid()).toList();
        assertEquals(host + " started one containerd of its own: " + host.processes(), 1, containerd.size());
        assertEquals("the containerd of " + host + " runs in " + netns, Procs.netnsOf(netns), containerd.get(0).netNs());
    }

    /** The value of {@code name} in the process's environment, "" when it has none. */
    private static String environment(long pid, String name) throws IOException {
        for (String entry : Files.readString(Path.of("/proc", Long.toString(pid), "environ")).split("\0")) {
            if (entry.startsWith(name + "=")) {
                return entry.substring(name.length() + 1);
            }
        }
        return "";
    }

    private void hosts(String action) throws IOException, InterruptedException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HAUL_HOST_A", NS_A);
        env.put("HAUL_HOST_B", NS_B);
        env.put("HAUL_HOST_A_IP", "169.254.81.1");
        env.put("HAUL_HOST_B_IP", "169.254.81.2");
        TwoHostCluster.run(List.of(DockerHost.home().resolve("runtime/setup/hosts.sh").toString(), action), 60, env);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void awaitContent(Path file, String expected, double seconds) throws Exception {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        String now = "";
        while (System.nanoTime() < deadline) {
            now = Files.exists(file) ? Files.readString(file) : "";
            if (now.equals(expected)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(file + " holds '" + now + "', not '" + expected + "', after " + seconds + " s");
    }
}
