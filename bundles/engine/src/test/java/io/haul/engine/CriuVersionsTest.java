package io.haul.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CriuVersionsTest {

    @Test
    void comparesNumberByNumberNotAsText() {
        assertTrue(CriuVersions.compare("4.10", "4.2.1") > 0);
        assertTrue(CriuVersions.compare("3.17", "4.1") < 0);
        assertEquals(0, CriuVersions.compare("4.2", "4.2.0"));
    }
}
