package io.haul.lxc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The reasons a container cannot move, from its configuration and LXC's state alone (no process is looked at). */
class LxcContainerTest {

    private static final Path FOLDER = Path.of("/var/lib/lxc/web");
    private static final String MOVABLE = """
            lxc.net.0.type = empty
            lxc.console.path = none
            lxc.tty.max = 0
            lxc.rootfs.path = dir:/var/lib/lxc/web/rootfs
            """;

    private static String whyNot(String state, String config) {
        return new LxcContainer("web", FOLDER, new Liblxc.Status(state, -1), LxcConfig.parse(config)).whyNot();
    }

    @Test
    void aStoppedContainerSaysItsState() {
        assertEquals("it is STOPPED", whyNot("STOPPED", MOVABLE));
    }

    @Test
    void eachRefusalNamesTheKeyThatCausesIt() {
        assertTrue(whyNot("STOPPED", MOVABLE + "lxc.ephemeral = 1\n").contains("ephemeral (lxc.ephemeral)"));
        assertTrue(whyNot("STOPPED", MOVABLE + "lxc.idmap = u 0 100000 65536\n").contains("do not map root"));
        assertTrue(whyNot("STOPPED", MOVABLE + "lxc.include = /usr/share/lxc/config/common.conf\n")
                .contains("lxc.include"));
        assertTrue(whyNot("STOPPED", MOVABLE + "lxc.rootfs.path = btrfs:/var/lib/lxc/web/rootfs\n")
                .contains("backing store is btrfs"));
        assertTrue(whyNot("STOPPED", MOVABLE + "lxc.rootfs.path = /srv/rootfs\n").contains("outside its folder"));
        assertTrue(whyNot("STOPPED", MOVABLE + "lxc.console.path = /dev/console\n").contains("lxc.console.path = none"));
        assertTrue(whyNot("STOPPED", MOVABLE + "lxc.tty.max = 4\n").contains("lxc.tty.max = 0"));
    }

    @Test
    void anUnprivilegedContainerMovesUnlessItBindsHostFolders() {
        String unprivileged = MOVABLE + "lxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n";
        assertEquals("it is STOPPED", whyNot("STOPPED", unprivileged));
        assertTrue(whyNot("STOPPED", unprivileged + "lxc.mount.entry = /usr/lib usr/lib none ro,bind 0 0\n")
                .contains("unprivileged (lxc.idmap) and bind-mounts host folders (/usr/lib)"));
        assertEquals("it is STOPPED", whyNot("STOPPED", MOVABLE + "lxc.mount.entry = shm dev/shm tmpfs defaults 0 0\n"
                + "lxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n"));
    }

    @Test
    void aContainerWithoutConsoleSettingHasTheDefaultConsole() {
        assertTrue(whyNot("STOPPED", "lxc.rootfs.path = dir:/var/lib/lxc/web/rootfs\n").contains("console"));
    }
}
