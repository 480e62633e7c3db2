package io.haul.namespaces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haul.api.HaulException;
import io.haul.api.namespace.NamespaceState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkNamespaceHandlerTest {

    @TempDir
    Path proc;

    @Test
    void aTreeWithOnlyLoopbackInItsOwnNamespaceCanMove() throws Exception {
        fakeProcess("self", "net:[1]", "lo", "eth0");
        fakeProcess("42", "net:[2]", "lo");
        NamespaceState state = new NetworkNamespaceHandler(proc).capture(42);
        assertTrue(state.own());
        assertEquals("lo", state.facts().get("interfaces"));
    }

    @Test
    void aVethInTheTreesOwnNamespaceIsRefusedByName() throws Exception {
        fakeProcess("self", "net:[1]", "lo");
        fakeProcess("42", "net:[2]", "lo", "veth0");
        HaulException e = assertThrows(HaulException.class, () -> new NetworkNamespaceHandler(proc).capture(42));
        assertEquals("namespace.unsupported", e.code());
        assertTrue(e.getMessage().contains("veth0"), e.getMessage());
    }

    @Test
    void aTreeSharingTheHostsNetworkIsNotRefusedForTheHostsInterfaces() throws Exception {
        fakeProcess("self", "net:[1]", "lo", "eth0");
        fakeProcess("42", "net:[1]", "lo", "eth0");
        assertFalse(new NetworkNamespaceHandler(proc).capture(42).own());
    }

    private void fakeProcess(String pid, String netLink, String... interfaces) throws IOException {
        Path ns = Files.createDirectories(proc.resolve(pid).resolve("ns"));
        Files.createSymbolicLink(ns.resolve("net"), Path.of(netLink));
        StringBuilder dev = new StringBuilder("Inter-|   Receive\n face |bytes\n");
        for (String name : interfaces) {
            dev.append("  ").append(name).append(": 0 0 0 0\n");
        }
        Files.createDirectories(proc.resolve(pid).resolve("net"));
        Files.writeString(proc.resolve(pid).resolve("net/dev"), dev);
    }
}
