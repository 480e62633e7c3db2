package io.haul.namespaces;

import static io.haul.namespaces.Trees.instance;
import static io.haul.namespaces.Trees.tree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.HaulException;
import io.haul.api.criu.CriuOptions;
import io.haul.api.namespace.NamespaceInstance.Place;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespacePlan;
import io.haul.host.proc.Namespaces;
import io.haul.host.proc.MountInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KindHandlerTest {

    private static final long ME = ProcessHandle.current().pid();
    private final Namespaces namespaces = Namespaces.system();

    @Test
    void theContainersOwnUtsNamespaceMovesAndAnotherBelowItIsRefusedByTaskKindAndInode() {
        UtsNamespaceHandler uts = new UtsNamespaceHandler(namespaces);
        assertTrue(assertDoesNotRefuse(uts, tree(100, instance(NamespaceKind.UTS, 7, Place.CONTAINER, 100L))).own());

        HaulException refused = assertThrows(HaulException.class, () -> uts.plan(tree(100,
                instance(NamespaceKind.UTS, 7, Place.CONTAINER, 100L),
                instance(NamespaceKind.UTS, 8, Place.NESTED, ME))));
        assertEquals("check.namespace", refused.code());
        String message = refused.getMessage();
        assertTrue(message.startsWith("nested UTS namespace of pid " + ME + " ("), message);
        assertTrue(message.contains("uts:[8]") && message.contains("CRIU cannot dump nested UTS namespaces"), message);
        assertTrue(message.contains("ProtectHostname"), "says the way out: " + message);
    }

    @Test
    void everyKindCriuRefusesNestedIsRefusedNestedHere() {
        for (KindHandler handler : java.util.List.of(new PidNamespaceHandler(namespaces),
                new IpcNamespaceHandler(namespaces), new CgroupNamespaceHandler(namespaces),
                new TimeNamespaceHandler(namespaces))) {
            NamespaceKind kind = handler.kind();
            assertThrows(HaulException.class, () -> handler.plan(tree(100, instance(kind, 7, Place.CONTAINER, 100L),
                    instance(kind, 9, Place.NESTED, 101L))), kind.procName());
            assertFalse(assertDoesNotRefuse(handler, tree(100, instance(kind, 1, Place.HOST, 100L))).own(),
                    "the host's " + kind.procName() + " namespace stays");
        }
    }

    @Test
    void nestedMountNamespacesMoveAndTheHostsRootIsOfferedForTheContainersOwn() throws Exception {
        MountNamespaceHandler mnt = new MountNamespaceHandler(namespaces);
        NamespacePlan own = assertDoesNotRefuse(mnt, tree(100, instance(NamespaceKind.MNT, 7, Place.CONTAINER, 100L),
                instance(NamespaceKind.MNT, 8, Place.NESTED, 101L)));
        assertEquals("/", mnt.prepare(own, Path.of("/tmp")).root());
        NamespacePlan shared = assertDoesNotRefuse(mnt, tree(100, instance(NamespaceKind.MNT, 1, Place.HOST, 100L)));
        assertEquals(CriuOptions.NONE, mnt.prepare(shared, Path.of("/tmp")));
        assertEquals("/srv/rootfs", CriuOptions.NONE.withRoot("/srv/rootfs").over(mnt.prepare(own, Path.of("/tmp")))
                .root(), "a backend's own root counts over the handler's");
    }

    /** The host's paths are made in a folder of the test's: prepare() checks they exist on the destination. */
    @Test
    void aNestedMountNamespaceIsBoundFromTheHostsPathsAndRefusedBelowTheHostsOwn(@TempDir Path run) throws Exception {
        Path netns = Files.createDirectories(run.resolve("netns"));
        Path bound = Files.createFile(netns.resolve("hnsA"));
        List<MountInfo> host = MountInfo.parseForTests("""
                27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
                45 27 254:0 /run/netns NETNS rw shared:2 - ext4 /dev/vda rw
                46 45 0:4 net:[4026532174] BOUND rw shared:3 - nsfs nsfs rw
                """.replace("NETNS", netns.toString()).replace("BOUND", bound.toString()));
        List<MountInfo> nested = MountInfo.parseForTests("""
                80 79 254:0 / / rw,relatime - ext4 /dev/vda rw
                81 80 254:0 /run/netns NETNS rw - ext4 /dev/vda rw
                82 81 0:4 net:[4026532174] BOUND rw - nsfs nsfs rw
                83 80 0:50 / /srv/scratch rw - tmpfs none rw
                """.replace("NETNS", netns.toString()).replace("BOUND", bound.toString()));
        MountNamespaceHandler mnt = new MountNamespaceHandler(namespaces, pid -> pid.equals("self") ? host : nested);
        NamespacePlan plan = assertDoesNotRefuse(mnt, tree(100, instance(NamespaceKind.MNT, 7, Place.CONTAINER, 100L),
                instance(NamespaceKind.MNT, 8, Place.NESTED, 101L)));
        assertEquals(netns + "\n" + bound, plan.facts().get(MountNamespaceHandler.FACT_HOST_MOUNTS),
                "the tmpfs the tree mounted is CRIU's to dump, the host's mounts are bound again");
        assertEquals(List.of("mnt[]"), plan.dump().externals());
        assertEquals(List.of("mnt[]"), mnt.prepare(plan, Path.of("/tmp")).externals());

        HaulException missing = assertThrows(HaulException.class, () -> mnt.prepare(new NamespacePlan(
                NamespaceKind.MNT, true, java.util.Map.of(MountNamespaceHandler.FACT_HOST_MOUNTS, "/no/such/path"),
                CriuOptions.NONE), Path.of("/tmp")));
        assertEquals("mount.missing", missing.code());
        assertTrue(missing.getMessage().contains("/no/such/path"), missing.getMessage());

        HaulException belowHost = assertThrows(HaulException.class, () -> mnt.plan(tree(100,
                instance(NamespaceKind.MNT, 1, Place.HOST, 100L), instance(NamespaceKind.MNT, 8, Place.NESTED, ME))));
        assertTrue(belowHost.getMessage().startsWith("nested MNT namespace of pid " + ME), belowHost.getMessage());
        assertTrue(belowHost.getMessage().contains("unshare -m"), belowHost.getMessage());
    }

    @Test
    void nestedUserNamespacesAndTheContainersOwnAreRefusedSayingWhy() {
        UserNamespaceHandler user = new UserNamespaceHandler(namespaces);
        assertThrows(HaulException.class, () -> user.plan(tree(100, instance(NamespaceKind.USER, 1, Place.HOST, 100L),
                instance(NamespaceKind.USER, 9, Place.NESTED, 101L))));
        HaulException own = assertThrows(HaulException.class, () -> user.plan(tree(100,
                instance(NamespaceKind.USER, 7, Place.CONTAINER, 100L))));
        assertTrue(own.getMessage().contains("own user namespace"), own.getMessage());
        assertEquals(io.haul.api.namespace.NamespaceVerdict.Action.REFUSED, user.verdicts(tree(100,
                instance(NamespaceKind.USER, 7, Place.CONTAINER, 100L))).getFirst().action());
    }

    private static NamespacePlan assertDoesNotRefuse(KindHandler handler, io.haul.api.namespace.NamespaceTree tree) {
        try {
            return handler.plan(tree);
        } catch (HaulException e) {
            throw new AssertionError(handler.kind().procName() + " refused " + tree + ": " + e.getMessage(), e);
        }
    }
}
