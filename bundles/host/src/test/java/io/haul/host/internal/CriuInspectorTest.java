package io.haul.host.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CriuInspectorTest {

    @Test
    void parsesCriuVersion() {
        assertEquals("4.2.1", CriuInspector.parseVersion("Version: 4.2.1\n"));
        assertEquals("3.17.1", CriuInspector.parseVersion("Warn: x\nVersion: 3.17.1\nGitID: v3.17.1\n"));
        assertEquals("", CriuInspector.parseVersion("criu: not found"));
    }
}
