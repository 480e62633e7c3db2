package io.haul.lxc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The cgroups of processes as this machine's hybrid layout and a cgroup2-only one show them. */
class LxcCgroupsTest {

    /** A restore on one kernel beside the source: LXC's v1 cgroups are "-1", CRIU kept the source's cgroup2 path. */
    private static final String RESTORED_BESIDE_SOURCE = """
            9:name=systemd:/lxc.payload.web-1
            8:pids:/lxc.payload.web-1
            4:memory:/lxc.payload.web-1
            1:cpu:/lxc.payload.web-1
            0::/lxc.payload.web
            """;

    @Test
    void aCgroup2PathOtherThanLxcsV1OneIsMovedThere() {
        assertEquals(Optional.of(new LxcCgroups.Move("/lxc.payload.web", "/lxc.payload.web-1")),
                LxcCgroups.moveOf(LxcCgroups.parse(RESTORED_BESIDE_SOURCE)));
    }

    @Test
    void theSourcesOwnTasksAreLeftWhereTheyAre() {
        assertEquals(Optional.empty(), LxcCgroups.moveOf(LxcCgroups.parse(
                RESTORED_BESIDE_SOURCE.replace("web-1", "web"))));
    }

    @Test
    void aCgroup2OnlyOrV1OnlyLayoutHasNothingToMend() {
        assertEquals(Optional.empty(), LxcCgroups.moveOf(LxcCgroups.parse("0::/lxc.payload.web\n")));
        assertEquals(Optional.empty(), LxcCgroups.moveOf(LxcCgroups.parse("4:memory:/lxc.payload.web\n")));
    }

    @Test
    void v1CgroupsThatDisagreeAreNotLxcsAndAreLeftAlone() {
        assertEquals(Optional.empty(), LxcCgroups.moveOf(LxcCgroups.parse("""
                4:memory:/a
                1:cpu:/b
                0::/c
                """)));
    }
}
