package io.haul.namespaces;

import static io.haul.namespaces.Trees.instance;
import static io.haul.namespaces.Trees.tree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.HaulException;
import io.haul.api.namespace.NamespaceInstance.Place;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespacePlan;
import io.haul.api.namespace.NamespaceTree;
import io.haul.host.proc.MountInfo;
import io.haul.host.proc.Namespaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tree in its own user namespace moves only in the shape CRIU 4.2.1 restores on this kernel (its own mount
 * namespace, /proc and root file system), on recorded mountinfo layouts and a /proc of links made in a folder.
 */
class UserNamespaceShapesTest {

    private static final String HOST = """
            27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
            45 27 0:6 / /dev rw shared:2 - devtmpfs devtmpfs rw
            """;
    /** pivoted into /srv/ct/rootfs, /dev/null bound from the host, its own proc. */
    private static final String PIVOTED = """
            90 52 254:0 /srv/ct/rootfs / rw,relatime - ext4 /dev/vda rw
            91 90 0:6 /null /dev/null rw,relatime - devtmpfs devtmpfs rw
            92 90 0:48 / /proc rw,relatime - proc proc rw
            """;
    /** unshare -m --mount-proc: the host's root, its own proc. */
    private static final String HOST_ROOT = """
            80 79 254:0 / / rw,relatime - ext4 /dev/vda rw
            81 80 0:48 / /proc rw,relatime - proc proc rw
            """;

    @TempDir
    Path proc;

    private NamespaceTree tree;

    @BeforeEach
    void aTreeInItsOwnUserMountAndPidNamespaces() throws Exception {
        tree = tree(100, instance(NamespaceKind.USER, 7, Place.CONTAINER, 100L),
                instance(NamespaceKind.MNT, 8, Place.CONTAINER, 100L), instance(NamespaceKind.PID, 9, Place.CONTAINER,
                        100L));
        Files.createDirectories(proc.resolve("100/ns"));
        Files.createSymbolicLink(proc.resolve("100/ns/pid"), Path.of("pid:[9]"));
        Files.writeString(proc.resolve("100/uid_map"), "         0     100000      65536\n");
        Files.writeString(proc.resolve("100/gid_map"), "         0     100000      65536\n");
    }

    /** The tree's /proc: its pid 1 is in {@code pidNs}. */
    private void treeProcShows(String pidNs) throws Exception {
        Path ns = Files.createDirectories(proc.resolve("100/root/proc/1/ns"));
        Files.createSymbolicLink(ns.resolve("pid"), Path.of(pidNs));
    }

    private static Function<String, List<MountInfo>> mounts(String tree) {
        return pid -> MountInfo.parseForTests(pid.equals("self") ? HOST : tree);
    }

    @Test
    void theContainersOwnMovesPivotedWithItsOwnProcAndRestoresIntoItsRoot() throws Exception {
        treeProcShows("pid:[9]");
        UserNamespaceHandler user = new UserNamespaceHandler(Namespaces.system(), mounts(PIVOTED), proc);
        user.plan(tree);
        MountNamespaceHandler mnt = new MountNamespaceHandler(Namespaces.system(), mounts(PIVOTED));
        NamespacePlan plan = mnt.plan(tree);
        assertEquals("/srv/ct/rootfs", plan.facts().get(MountNamespaceHandler.FACT_ROOT));
        assertEquals(List.of("mnt[]"), plan.dump().externals(), "its /dev/null is the host's, bound again");
        HaulException missing = assertThrows(HaulException.class, () -> mnt.prepare(plan, proc));
        assertEquals("mount.missing", missing.code(), "a destination without the root file system refuses");
        assertTrue(missing.getMessage().contains("/srv/ct/rootfs"), missing.getMessage());
    }

    @Test
    void withTheHostsRootItIsRefusedWithCriusErrorAndTheWayOut() throws Exception {
        treeProcShows("pid:[9]");
        UserNamespaceHandler user = new UserNamespaceHandler(Namespaces.system(), mounts(HOST_ROOT), proc);
        HaulException refused = assertThrows(HaulException.class, () -> user.plan(tree));
        assertTrue(refused.getMessage().startsWith("USER namespace of pid 100"), refused.getMessage());
        assertTrue(refused.getMessage().contains("Unable to mount /proc/self/fd/8: Invalid argument")
                && refused.getMessage().contains("pivot_root"), refused.getMessage());
        assertEquals(java.util.Map.of(), new MountNamespaceHandler(Namespaces.system(), mounts(HOST_ROOT)).plan(tree)
                .facts(), "the host's root: restored with / as before");
    }

    @Test
    void withTheHostsProcOrMountNamespaceItIsRefusedWithCriusError() throws Exception {
        treeProcShows("pid:[4026531836]");
        UserNamespaceHandler user = new UserNamespaceHandler(Namespaces.system(), mounts(PIVOTED), proc);
        HaulException hostProc = assertThrows(HaulException.class, () -> user.plan(tree));
        assertTrue(hostProc.getMessage().contains("/proc doesn't belong to it"), hostProc.getMessage());

        NamespaceTree hostMounts = tree(100, instance(NamespaceKind.USER, 7, Place.CONTAINER, 100L),
                instance(NamespaceKind.MNT, 1, Place.HOST, 100L));
        HaulException hostMnt = assertThrows(HaulException.class, () -> user.plan(hostMounts));
        assertTrue(hostMnt.getMessage().contains("with the host's mount namespace"), hostMnt.getMessage());
    }

    @Test
    void theDestinationTakesAnUnprivilegedMapOnlyIntoIdsItSetAsideAndOnlyWithUserNamespacesAllowed() throws Exception {
        treeProcShows("pid:[9]");
        UserNamespaceHandler user = new UserNamespaceHandler(Namespaces.system(), mounts(PIVOTED), proc);
        NamespacePlan plan = user.plan(tree);
        assertEquals("0     100000      65536", plan.facts().get(UserNamespaceHandler.FACT_UID_MAP));

        Path subuid = Files.writeString(proc.resolve("subuid"), "alice:200000:65536\n");
        Path subgid = Files.writeString(proc.resolve("subgid"), "root:100000:65536\n");
        user.limits(subuid, subgid, -1);
        Files.createDirectories(proc.resolve("sys/user"));
        Files.writeString(proc.resolve("sys/user/max_user_namespaces"), "96362\n");
        HaulException ids = assertThrows(HaulException.class, () -> user.prepare(plan, proc));
        assertEquals("namespace.user-ids", ids.code());
        assertTrue(ids.getMessage().contains("uid map (0 100000 65536)") && ids.getMessage().contains("none")
                && ids.getMessage().contains("add root:100000:65536 to " + subuid), ids.getMessage());

        Files.writeString(subuid, "root:100000:65536\n");
        assertTrue(user.prepare(plan, proc).has(io.haul.api.criu.CriuOptions.Flag.EAGER_MEMORY),
                "restored with its memory in: its tasks may not open userfaultfd");
        NamespacePlan privileged = new NamespacePlan(NamespaceKind.USER, true, java.util.Map.of(
                UserNamespaceHandler.FACT_UID_MAP, "0 0 4294967295", UserNamespaceHandler.FACT_GID_MAP, "0 0 4294967295"),
                io.haul.api.criu.CriuOptions.NONE);
        Files.writeString(subuid, "");
        user.prepare(privileged, proc); // the host's own ids: nothing to set aside

        Files.writeString(proc.resolve("sys/user/max_user_namespaces"), "0\n");
        HaulException off = assertThrows(HaulException.class, () -> user.prepare(privileged, proc));
        assertEquals("namespace.user-limit", off.code());
        user.limits(subuid, subgid, 0);
        assertTrue(assertThrows(HaulException.class, () -> user.prepare(privileged, proc)).getMessage()
                .contains("maxUserNamespaces = 0 in haul.namespace.user"));
    }

    @Test
    void theSourceJudgesAnUnprivilegedMapByTheLimitsTheDestinationOffered() throws Exception {
        treeProcShows("pid:[9]");
        UserNamespaceHandler user = new UserNamespaceHandler(Namespaces.system(), mounts(PIVOTED), proc);
        NamespacePlan plan = user.plan(tree);
        io.haul.api.namespace.UserNamespaceLimits elsewhere = new io.haul.api.namespace.UserNamespaceLimits(96362,
                java.util.List.of(new io.haul.api.namespace.UserNamespaceLimits.IdRange(300000, 65536)),
                java.util.List.of(new io.haul.api.namespace.UserNamespaceLimits.IdRange(100000, 65536)),
                "/etc/subuid", "/etc/subgid");
        HaulException ids = assertThrows(HaulException.class, () -> user.checkOffer(plan, offer(elsewhere), "hostB"));
        assertEquals("namespace.user-ids", ids.code());
        assertTrue(ids.getMessage().contains("host uids 100000-165535, which hostB has not set aside")
                && ids.getMessage().contains("root:300000:65536")
                && ids.getMessage().contains("add root:100000:65536 to /etc/subuid on hostB"), ids.getMessage());

        io.haul.api.namespace.UserNamespaceLimits aside = new io.haul.api.namespace.UserNamespaceLimits(96362,
                elsewhere.gids(), elsewhere.gids(), "/etc/subuid", "/etc/subgid");
        user.checkOffer(plan, offer(aside), "hostB");
        io.haul.api.namespace.UserNamespaceLimits none = new io.haul.api.namespace.UserNamespaceLimits(0,
                aside.uids(), aside.gids(), "/etc/subuid", "/etc/subgid");
        assertEquals("namespace.user-limit", assertThrows(HaulException.class,
                () -> user.checkOffer(plan, offer(none), "hostB")).code());
    }

    private static io.haul.api.namespace.NamespaceOffer offer(io.haul.api.namespace.UserNamespaceLimits limits) {
        return new io.haul.api.namespace.NamespaceOffer(NamespaceKind.USER, true, java.util.Map.of("userns", true),
                java.util.Optional.of(limits));
    }
}
