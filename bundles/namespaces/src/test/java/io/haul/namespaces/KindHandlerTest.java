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
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

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

    private static NamespacePlan assertDoesNotRefuse(KindHandler handler, io.haul.api.namespace.NamespaceTree tree) {
        try {
            return handler.plan(tree);
        } catch (HaulException e) {
            throw new AssertionError(handler.kind().procName() + " refused " + tree + ": " + e.getMessage(), e);
        }
    }
}
