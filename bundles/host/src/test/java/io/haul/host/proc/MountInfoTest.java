package io.haul.host.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Recorded mountinfo of this machine's host and of a nested mount namespace made with unshare -m. */
class MountInfoTest {

    private static final List<MountInfo> HOST = MountInfo.parse("""
            27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard
            22 27 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw
            45 27 254:0 /run/netns /run/netns rw,relatime shared:1 - ext4 /dev/vda rw,discard
            46 45 0:4 net:[4026532174] /run/netns/hnsA rw shared:2 - nsfs nsfs rw
            """);

    @Test
    void theFieldsAreReadPastTheOptionalOnesAndEscapesAreUndone() {
        List<MountInfo> mounts = MountInfo.parse("36 35 98:0 /mnt1 /mnt\\040two rw,noatime master:1 shared:4 - ext3"
                + " /dev/root rw,errors=continue\nnot a mount line\n");
        assertEquals(List.of(new MountInfo(36, 35, "98:0", "/mnt1", "/mnt two", "ext3", "/dev/root")), mounts);
        assertTrue(HOST.get(3).nsfs());
    }

    @Test
    void aCopiedMountIsSeenWhereTheHostShowsItAndOneTheNamespaceMadeIsNot() {
        List<MountInfo> nested = MountInfo.parse("""
                80 79 254:0 / / rw,relatime - ext4 /dev/vda rw,discard
                81 80 0:21 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
                82 80 254:0 /run/netns /run/netns rw,relatime - ext4 /dev/vda rw,discard
                83 82 0:4 net:[4026532174] /run/netns/hnsA rw - nsfs nsfs rw
                84 80 0:4 net:[4026532999] /srv/gone rw - nsfs nsfs rw
                85 80 0:50 / /srv/scratch rw - tmpfs none rw
                86 80 254:0 /srv/data /mnt/data rw - ext4 /dev/vda rw,discard
                """);
        assertEquals(Optional.of("/proc"), nested.get(1).seenOnHostAt(HOST));
        assertEquals(Optional.of("/run/netns"), nested.get(2).seenOnHostAt(HOST), "the exact root wins over /'s");
        assertEquals(Optional.of("/run/netns/hnsA"), nested.get(3).seenOnHostAt(HOST));
        assertEquals(Optional.empty(), nested.get(4).seenOnHostAt(HOST), "a namespace the host no longer pins");
        assertEquals(Optional.empty(), nested.get(5).seenOnHostAt(HOST), "the namespace's own tmpfs");
        assertEquals(Optional.of("/srv/data"), nested.get(6).seenOnHostAt(HOST), "a bind of a host folder");
    }
}
