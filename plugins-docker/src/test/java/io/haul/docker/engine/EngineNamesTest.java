package io.haul.docker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class EngineNamesTest {

    @Test
    void acceptsDockersNamesAndIds() {
        assertEquals("web", EngineNames.container("web"));
        assertEquals("web", EngineNames.container("/web"));
        assertEquals("a1b2", EngineNames.container("a1b2"));
        assertEquals("my_app.v2-1", EngineNames.container("my_app.v2-1"));
        assertEquals("haul-data", EngineNames.volume("haul-data"));
        assertEquals("cp1", EngineNames.checkpointId("cp1"));
        assertEquals("/var/lib/haul/cps", EngineNames.checkpointDir("/var/lib/haul/cps"));
    }

    @Test
    void refusesWhatWouldChangeThePath() {
        for (String bad : new String[] {"", "/", "..", ".", "../images", "a/b", "a?b", "a%2Fb", "a b", "-x", "_x",
                "a\nb", "//web", "x".repeat(256)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineNames.container(bad), bad);
            assertEquals(true, e.getMessage().startsWith("not a container name or id: "), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> EngineNames.volume(bad), bad);
            assertThrows(IllegalArgumentException.class, () -> EngineNames.checkpointId(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> EngineNames.container(null));
        assertEquals("not a container name or id: \"../etc\" (letters, digits, '_', '.' and '-', starting with a letter or digit)",
                assertThrows(IllegalArgumentException.class, () -> EngineNames.container("../etc")).getMessage());
        assertEquals("a", EngineNames.container("a"), "the start of an id");
        assertThrows(IllegalArgumentException.class, () -> EngineNames.checkpointId("a"), "Docker wants two characters");
        assertThrows(IllegalArgumentException.class, () -> EngineNames.newContainerName("a"));
        assertEquals("not a volume name: \"a\\x0ab\" (two or more letters, digits, '_', '.' and '-', starting with a letter or digit)",
                assertThrows(IllegalArgumentException.class, () -> EngineNames.newVolumeName("a\nb")).getMessage());
    }

    @Test
    void checkpointFoldersAreAbsoluteAndNormal() {
        for (String bad : new String[] {"", "cps", "./cps", "/a/../b", "/a/./b", "/a/", "/a//b", "/a\nb"}) {
            assertThrows(IllegalArgumentException.class, () -> EngineNames.checkpointDir(bad), bad);
        }
    }

    @Test
    void imageReferencesKeepTheirSlashesButNoDotSegments() {
        assertEquals("haul-test:1", EngineNames.image("haul-test:1"));
        assertEquals("registry:5000/team/app@sha256:abc", EngineNames.image("registry:5000/team/app@sha256:abc"));
        assertEquals("sha256:0123", EngineNames.image("sha256:0123"));
        assertEquals("a%2Bb", EngineNames.image("a+b"));
        for (String bad : new String[] {"", "/app", "app/", "a//b", "team/../app", "./app", "a?b", "a#b", "a%b", "a b"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineNames.image(bad), bad);
            assertEquals(true, e.getMessage().startsWith("not an image reference: "), e.getMessage());
        }
    }

    @Test
    void queryValuesAreFormEncoded() {
        assertEquals("a%2Fb+c%26d%3De", EngineNames.query("a/b c&d=e"));
    }
}
