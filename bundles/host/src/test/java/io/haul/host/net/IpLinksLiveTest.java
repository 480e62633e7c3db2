package io.haul.host.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.host.exec.BoundedCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The interfaces of real namespaces, as iproute2 reports them: two namespaces of this test's own (never the
 * machine's), a veth between them whose one end is a port of a bridge. Skipped without root or iproute2.
 */
class IpLinksLiveTest {

    private final String bridged = "hnl" + ProcessHandle.current().pid() + "b";
    private final String inside = "hnl" + ProcessHandle.current().pid() + "c";
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (Process process : started) {
            BoundedCommand.kill(process);
        }
        ip("netns", "del", bridged);
        ip("netns", "del", inside);
    }

    @Test
    void aVethBetweenTwoNamespacesShowsItsPeerItsBridgeAndItsAddresses() throws Exception {
        Assumptions.assumeTrue(ip("-V") == 0, "no iproute2");
        Assumptions.assumeTrue(ip("netns", "add", bridged) == 0, "cannot make network namespaces (not root?)");
        assertEquals(0, ip("netns", "add", inside));
        assertEquals(0, ip("-n", bridged, "link", "add", "hbr0", "type", "bridge"));
        assertEquals(0, ip("-n", bridged, "link", "add", "hv0", "type", "veth", "peer", "name", "eth0", "netns",
                inside));
        assertEquals(0, ip("-n", bridged, "link", "set", "hv0", "master", "hbr0"));
        assertEquals(0, ip("-n", inside, "link", "set", "eth0", "address", "02:00:a9:fe:3d:01"));
        assertEquals(0, ip("-n", inside, "addr", "add", "169.254.61.1/16", "dev", "eth0"));
        assertEquals(0, ip("-n", inside, "link", "set", "eth0", "up"));
        Process sleeper = new ProcessBuilder("ip", "netns", "exec", inside, "sleep", "60").start();
        started.add(sleeper);

        NetLink eth0 = awaitLinks(sleeper.pid()).stream().filter(l -> l.name().equals("eth0")).findFirst()
                .orElseThrow();
        assertTrue(eth0.veth() && eth0.peerElsewhere() && eth0.up(), eth0.toString());
        assertEquals("02:00:a9:fe:3d:01", eth0.mac());
        assertEquals(List.of("169.254.61.1/16"), eth0.ipv4().stream().map(NetAddress::toString).toList());

        Process there = new ProcessBuilder("ip", "netns", "exec", bridged, "sleep", "60").start();
        started.add(there);
        NetLink hostEnd = awaitLinks(there.pid()).stream().filter(l -> l.name().equals("hv0")).findFirst()
                .orElseThrow();
        assertEquals("hbr0", hostEnd.master());
        assertEquals(eth0.index(), hostEnd.peerIndex(), "each end names the other's index");
        assertEquals(hostEnd.index(), eth0.peerIndex());
    }

    /** ip netns exec has setns()'d once the sleeper runs; until then it is ip itself, in the test's namespace. */
    private static List<NetLink> awaitLinks(long pid) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Path comm = Path.of("/proc/" + pid + "/comm");
        while (!Files.readString(comm).strip().equals("sleep") && System.nanoTime() - deadline < 0) {
            Thread.sleep(10); // exec has no event we can wait on from here
        }
        return IpLinks.ofProcess(pid);
    }

    private static int ip(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(arguments));
        return BoundedCommand.run(command, Duration.ofSeconds(10)).exitCode();
    }
}
