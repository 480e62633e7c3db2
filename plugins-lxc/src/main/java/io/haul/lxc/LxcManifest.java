package io.haul.lxc;

/** The facts of an LXC container's manifest: what the destination makes it again from. */
final class LxcManifest {

    /** Its name, the same on the destination. */
    static final String NAME = "lxc.name";
    /** Its configuration file, as LXC wrote it on the source. */
    static final String CONFIG = "lxc.config";
    /** Its folder on the source, whose paths the configuration names (they move under the destination's lxcpath). */
    static final String FOLDER = "lxc.folder";
    /** The source's architecture (Java's os.arch): CRIU restores only on the same one. */
    static final String ARCH = "lxc.arch";
    /** Its root file system, relative to its folder, and how many bytes it holds. */
    static final String ROOTFS = "lxc.rootfs";
    static final String ROOTFS_BYTES = "lxc.rootfs-bytes";
    /** The host folders it bind-mounts ({@link LxcBindMounts#encode}). */
    static final String BIND_MOUNTS = "lxc.bind-mounts";
    /** The name of the root file system's tree on the wire. */
    static final String ROOTFS_TREE = "rootfs";

    private LxcManifest() {
    }
}
