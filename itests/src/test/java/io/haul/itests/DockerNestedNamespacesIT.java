package io.haul.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.haul.itests.Requirements.HostNeeds;
import io.haul.itests.Requirements.Need;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Docker containers with namespaces nested in them, as {@code ./haul ps} lists them and the checks judge them: what
 * ps says must be what the checks do. Hosts dknestA/dknestB (169.254.92.11/.12), cluster dknest, a private Docker
 * engine on each.
 */
@HostNeeds({Need.ROOT, Need.UNSHARE, Need.CRIU, Need.DOCKER})
public class DockerNestedNamespacesIT {

    private static final double MIGRATE_SECONDS = 180;

    private static TwoHostCluster cluster;
    private static Path base;
    private static DockerHost dockerA;
    private static DockerHost dockerB;

    private String container;

    @BeforeClass
    public static void startHosts() throws Exception {
        cluster = TwoHostCluster.start(DockerNestedNamespacesIT.class, new TwoHostCluster.Options()
                .hosts("dknestA", "169.254.92.11", "dknestB", "169.254.92.12").clusterName("dknest"));
        try {
            base = Files.createTempDirectory(Path.of("/tmp"), "haul-dkn-"); // short: containerd's socket paths
            BusyboxRootfs rootfs = BusyboxRootfs.make(base.resolve("busybox"));
            dockerA = DockerHost.start("dknestA", cluster.a.name, base.resolve("A"), cluster.work);
            dockerB = DockerHost.start("dknestB", cluster.b.name, base.resolve("B"), cluster.work);
            dockerA.importImage(rootfs);
            dockerB.loadSameImage(dockerA);
            for (TwoHostCluster.Agent agent : List.of(cluster.a, cluster.b)) {
                DockerPlugin.deploy(agent, agent == cluster.a ? dockerA : dockerB);
                DockerPlugin.awaitUsable(cluster, agent);
            }
        } catch (Throwable e) {
            stopHosts();
            throw e;
        }
    }

    @AfterClass
    public static void stopHosts() throws Exception {
        for (AutoCloseable host : new AutoCloseable[] {dockerA, dockerB}) {
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
    public void removeContainer() throws Exception {
        if (container != null) {
            dockerA.cli("rm", "-f", container);
            dockerB.cli("rm", "-f", container);
        }
    }

    /**
     * A container whose task ran {@code unshare -m} and mounted a tmpfs: moving its nested mount namespace needs
     * CRIU's {@code mnt[]}, which Docker's checkpoint cannot be given. {@code ./haul ps} says no with the reason the
     * checks give, {@code ./haul namespaces} refuses the nested instance, and the migration is refused in CHECKS
     * with the same container running on at A.
     */
    @Test
    public void aContainerWithANestedMountNamespaceIsRefusedByPsAsByTheChecks() throws Exception {
        container = "nested-mnt-" + UUID.randomUUID().toString().substring(0, 8);
        dockerA.run(container, List.of("--network", "none", "--cap-add", "SYS_ADMIN", "--security-opt",
                "seccomp=unconfined"), DockerHost.IMAGE, "sh", "-c", "unshare -m sh -c 'mount -t tmpfs none /mnt && "
                + "i=0; while true; do i=$((i+1)); echo $i > /counter; sleep 0.1; done' & wait"); // the root stays outside
        long before = dockerA.awaitCounterAbove(container, 2);
        long pid = dockerA.containerPid(container);

        Commands.Result ps = cluster.client(cluster.a, "ps", "docker");
        System.out.println("DockerNestedNamespacesIT nested mnt, ps docker:\n" + ps.output());
        String row = ps.stdout().lines().filter(l -> l.startsWith("docker:" + container + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("ps lists docker:" + container + ":\n" + ps.output()));
        assertTrue("ps marks the nested mount namespace and says no, with the checks' reason:\n" + row,
                row.contains(" mnt ") && row.contains("no: [check.runtime]"));
        JsonNode report = cluster.json(cluster.a, "namespaces", "--json", "docker:" + container);
        assertTrue("haul:namespaces refuses the nested mount namespace:\n" + report.toPrettyString(),
                report.path("verdicts").findParents("instance").stream().anyMatch(v -> v.path("instance")
                        .path("place").asText().equals("NESTED") && v.path("action").asText().equals("REFUSED")));

        Commands.Result result = cluster.clientLive(cluster.a, "migrate", "docker:" + container, "--to",
                cluster.b.name).result(MIGRATE_SECONDS);
        String text = result.output();
        System.out.println("DockerNestedNamespacesIT nested mnt, migrate printed:\n" + text);
        assertNotEquals("migrate fails:\n" + text, 0, result.exitCode());
        assertTrue("refused in the checks for the runtime, as ps said:\n" + text, text.contains("rolled back in CHECKS")
                && text.contains("check.runtime"));
        assertEquals("the same process runs on A", pid, dockerA.containerPid(container));
        dockerA.awaitCounterAbove(container, before);
        assertNotEquals("nothing was made on B", 0, dockerB.cli("inspect", container).exitCode());
    }
}
