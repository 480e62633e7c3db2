package io.haul.lxc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class LxcIdMapsTest {

    @Test
    void anUnprivilegedContainersMapsGiveItsRootsHostIds() {
        LxcIdMaps maps = LxcIdMaps.of(LxcConfig.parse("""
                lxc.idmap = u 0 100000 65536
                lxc.idmap = g 0 200000 65536
                """));
        assertTrue(maps.unprivileged());
        assertEquals(Optional.of(100000L), maps.hostRoot('u'));
        assertEquals(Optional.of(200000L), maps.hostRoot('g'));
        assertEquals(Optional.empty(), maps.whyNot());
    }

    @Test
    void aContainerWithoutMapsIsPrivileged() {
        assertFalse(LxcIdMaps.of(LxcConfig.parse("lxc.net.0.type = empty\n")).unprivileged());
    }

    @Test
    void mapsThatLeaveRootUnmappedOrAreMalformedAreSaidSo() {
        assertTrue(LxcIdMaps.of(LxcConfig.parse("lxc.idmap = u 1 100000 65536\nlxc.idmap = g 0 100000 65536\n"))
                .whyNot().orElseThrow().contains("do not map root"));
        assertTrue(LxcIdMaps.of(LxcConfig.parse("lxc.idmap = x 0 100000 65536\n")).whyNot().orElseThrow()
                .contains("not all"));
    }
}
