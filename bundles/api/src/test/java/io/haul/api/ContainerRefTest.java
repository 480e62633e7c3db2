package io.haul.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ContainerRefTest {

    @Test
    void parsesBackendAndId() {
        ContainerRef ref = ContainerRef.parse("docker:web:1");
        assertEquals("docker", ref.backend());
        assertEquals("web:1", ref.id());
        assertEquals("docker:web:1", ref.toString());
    }

    @Test
    void refusesTextWithoutBackendNamingTheExpectedForm() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ContainerRef.parse("4242"));
        assertTrue(e.getMessage().contains("backend:id"), e.getMessage());
    }

    @Test
    void refusesBackendNamesThatCouldEscapeAServiceFilter() {
        assertThrows(IllegalArgumentException.class, () -> ContainerRef.parse("x)(name=*:1"));
    }

    @Test
    void anUnusablePluginMustSayWhy() {
        assertThrows(IllegalArgumentException.class, () -> Usability.no(" "));
    }
}
