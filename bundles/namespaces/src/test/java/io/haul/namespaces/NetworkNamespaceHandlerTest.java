package io.haul.namespaces;

import static io.haul.namespaces.Trees.instance;
import static io.haul.namespaces.Trees.tree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.HaulException;
import io.haul.api.namespace.NamespaceInstance.Place;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespacePlan;
import io.haul.host.proc.Namespaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkNamespaceHandlerTest {

    @TempDir
    Path proc;

    private NetworkNamespaceHandler handler() {
        return new NetworkNamespaceHandler(Namespaces.system(), proc);
    }

    @Test
    void aTreeWithOnlyLoopbackInItsOwnNamespaceCanMove() throws Exception {
        fakeInterfaces(42, "lo");
        NamespacePlan plan = handler().plan(tree(42, instance(NamespaceKind.NET, 2, Place.CONTAINER, 42L)));
        assertTrue(plan.own());
        assertEquals("lo", plan.facts().get("interfaces"));
    }

    @Test
    void aVethInTheTreesOwnNamespaceIsRefusedByName() throws Exception {
        fakeInterfaces(42, "lo", "veth0");
        HaulException e = assertThrows(HaulException.class,
                () -> handler().plan(tree(42, instance(NamespaceKind.NET, 2, Place.CONTAINER, 42L))));
        assertEquals("namespace.unsupported", e.code());
        assertTrue(e.getMessage().contains("veth0"), e.getMessage());
    }

    @Test
    void aTreeSharingTheHostsNetworkIsNotRefusedForTheHostsInterfaces() throws Exception {
        fakeInterfaces(42, "lo", "eth0");
        assertFalse(handler().plan(tree(42, instance(NamespaceKind.NET, 1, Place.HOST, 42L))).own());
    }

    @Test
    void aNetworkNamespaceATaskMadeInsideTheTreeMovesWithIt() throws Exception {
        fakeInterfaces(42, "lo");
        fakeInterfaces(43, "lo", "veth1");
        assertTrue(handler().plan(tree(42, instance(NamespaceKind.NET, 2, Place.CONTAINER, 42L),
                instance(NamespaceKind.NET, 3, Place.NESTED, 43L))).own());
    }

    private void fakeInterfaces(long pid, String... interfaces) throws IOException {
        StringBuilder dev = new StringBuilder("Inter-|   Receive\n face |bytes\n");
        for (String name : interfaces) {
            dev.append("  ").append(name).append(": 0 0 0 0\n");
        }
        Files.createDirectories(proc.resolve(Long.toString(pid)).resolve("net"));
        Files.writeString(proc.resolve(Long.toString(pid)).resolve("net/dev"), dev);
    }
}
