package io.haul.lxc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LxcConfigTest {

    private static final LxcConfig BUSYBOX = LxcConfig.parse("""
            # Template used to create this container: /usr/share/lxc/templates/lxc-busybox
            lxc.net.0.type = veth
            lxc.net.0.link = haulbr0
            lxc.net.0.veth.pair = hlxv50
            lxc.console.path = none
            lxc.rootfs.path = dir:/var/lib/lxc/web/rootfs
            lxc.log.file = /var/lib/lxc/web/web.log
            lxc.tty.max = 5
            lxc.mount.entry = /usr/lib usr/lib none ro,bind 0 0
            lxc.mount.entry = /var/lib/lxc/webdata data none bind 0 0
            lxc.tty.max = 0
            """);

    @Test
    void theLastValueOfASingleKeyCounts() {
        assertEquals(Optional.of("0"), BUSYBOX.get("lxc.tty.max"));
        assertEquals(2, BUSYBOX.all("lxc.mount.entry").size());
    }

    @Test
    void movingChangesOnlyPathsUnderTheContainersFolder() {
        LxcConfig moved = BUSYBOX.moved("/var/lib/lxc/web", "/srv/lxc/web");
        assertEquals(Optional.of("dir:/srv/lxc/web/rootfs"), moved.get("lxc.rootfs.path"));
        assertEquals(Optional.of("/srv/lxc/web/web.log"), moved.get("lxc.log.file"));
        // a sibling folder whose name begins like the container's is not the container's
        assertTrue(moved.all("lxc.mount.entry").contains("/var/lib/lxc/webdata data none bind 0 0"));
        assertTrue(moved.text().startsWith("# Template used"), "comments stay");
    }

    @Test
    void aVethNamesItsHostEndAndBridgeAsLxcsRestoreDoes() {
        assertEquals(List.of("veth[eth0]:hlxv50@haulbr0"), LxcNetwork.restoreExternals(BUSYBOX));
        assertEquals(List.of(), LxcNetwork.whyNot(BUSYBOX));
    }

    @Test
    void otherInterfaceKindsAndUnnamedHostEndsAreRefusedWithTheKey() {
        LxcConfig config = LxcConfig.parse("lxc.net.0.type = macvlan\nlxc.net.1.type = veth\nlxc.net.1.link = br0\n");
        List<String> why = LxcNetwork.whyNot(config);
        assertTrue(why.get(0).contains("lxc.net.0 is of type macvlan"), why.toString());
        assertTrue(why.get(1).contains("lxc.net.1.veth.pair"), why.toString());
    }
}
