package io.haul.docker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ApiVersionsTest {

    @Test
    void thePreferredVersionWhenTheEngineSpeaksIt() {
        assertEquals("1.41", ApiVersions.nearest("1.41", "1.12", "1.41"));
        assertEquals("1.41", ApiVersions.nearest("1.41", "1.24", "1.50"));
        assertEquals("1.41", ApiVersions.nearest("1.41", null, null));
        assertEquals("1.41", ApiVersions.nearest("1.41", "", "garbage"));
    }

    @Test
    void theEnginesNearestOtherwise() {
        assertEquals("1.40", ApiVersions.nearest("1.41", "1.12", "1.40"), "an older engine: its newest");
        assertEquals("1.44", ApiVersions.nearest("1.41", "1.44", "1.52"), "Docker 29 dropped 1.41: its oldest");
    }

    @Test
    void comparesNumerically() {
        assertTrue(ApiVersions.compare("1.9", "1.41") < 0);
        assertTrue(ApiVersions.compare("2.0", "1.99") > 0);
        assertEquals(0, ApiVersions.compare("1.41", "1.41"));
    }
}
