package io.haul.lxc;

import io.haul.api.HaulException;
import io.haul.api.backend.ContainerManifest;
import io.haul.api.backend.HeldRestore;
import io.haul.api.backend.MigrationFolders;
import io.haul.api.backend.RuntimeDestinationSession;
import io.haul.api.criu.CriuOptions;
import io.haul.criu.hold.CriuHold;
import io.haul.criu.hold.HeldRuntimeStep;
import io.haul.criu.hold.RuntimeRestore;
import io.haul.host.files.Folders;
import io.haul.host.files.TreeCopy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An LXC container's migration on the destination: checks that this lxcpath can take it (name free, same
 * architecture, room for its root file system), makes it again with the same name and configuration (paths under this
 * lxcpath) and the root file system that arrived, restores it with lxc-checkpoint held at post-restore, so that LXC's
 * monitor owns it here, and removes all of it if the migration rolls back.
 */
final class LxcDestination implements RuntimeDestinationSession {

    private static final Logger LOG = LoggerFactory.getLogger(LxcDestination.class);
    /** CRIU's "detect external mounts" entry, which the mnt handler asks for an unprivileged container's. */
    static final String AUTO_EXTERNAL_MOUNTS = "mnt[]";

    private final LxcBackend backend;
    private final String name;
    private final ContainerManifest manifest;
    private final MigrationFolders folders;
    private final Path folder;
    private final LxcConfig config;
    private boolean made;
    /** Rounds of the root file system unpacked as they arrived (staged()), while the container ran on the source. */
    private int roundsUnpacked;

    LxcDestination(LxcBackend backend, ContainerManifest manifest, MigrationFolders folders) throws HaulException {
        this.backend = backend;
        this.name = LxcBackend.checkName(manifest.facts().get(LxcManifest.NAME));
        this.manifest = manifest;
        this.folders = folders;
        this.folder = backend.tools().folder(name);
        String sourceFolder = manifest.facts().getOrDefault(LxcManifest.FOLDER, "");
        if (sourceFolder.isEmpty() || !manifest.facts().containsKey(LxcManifest.CONFIG)) {
            throw new HaulException("check.manifest", "the source's lxc manifest has no configuration");
        }
        this.config = LxcConfig.parse(manifest.facts().get(LxcManifest.CONFIG)).moved(sourceFolder, folder.toString());
    }

    @Override
    public void check() throws HaulException {
        String arch = System.getProperty("os.arch");
        String theirs = manifest.facts().getOrDefault(LxcManifest.ARCH, "?");
        if (!arch.equals(theirs)) {
            throw new HaulException("check.arch", "lxc:" + name + " runs on " + theirs + ", this host is " + arch
                    + ": CRIU restores on the same architecture only");
        }
        if (backend.exists(name)) {
            throw new HaulException("check.name", "an LXC container '" + name + "' already exists in "
                    + backend.tools().lxcpath());
        }
        LxcBindMounts.decode(manifest.facts().getOrDefault(LxcManifest.BIND_MOUNTS, "")).checkSameHere("lxc:" + name);
        LxcHooks.checkHere(config, "lxc:" + name);
        long needed;
        try {
            needed = Long.parseLong(manifest.facts().getOrDefault(LxcManifest.ROOTFS_BYTES, "0"));
        } catch (NumberFormatException e) {
            throw new HaulException("check.manifest", "the source's lxc manifest has a malformed root file system size");
        }
        long free;
        try {
            free = Files.getFileStore(backend.tools().lxcpath()).getUsableSpace();
        } catch (IOException e) {
            throw new HaulException("check.room", "cannot read the free space of " + backend.tools().lxcpath() + ": "
                    + e.getMessage());
        }
        if (free < needed) {
            throw new HaulException("check.room", "lxc:" + name + "'s root file system holds " + needed + " bytes, and "
                    + backend.tools().lxcpath() + " has " + free + " free");
        }
    }

    /** What LXC's restore gives CRIU itself: its veths as its configuration names them; flags it always passes. */
    @Override
    public void accept(CriuOptions contributions) throws HaulException {
        List<String> lxcs = LxcNetwork.restoreExternals(config);
        boolean unprivileged = LxcIdMaps.of(config).unprivileged();
        for (String external : contributions.externals()) {
            // LXC names an unprivileged container's mounts to CRIU itself (the source refused nested ones)
            if (!lxcs.contains(external) && !(unprivileged && external.equals(AUTO_EXTERNAL_MOUNTS))) {
                throw new HaulException("check.runtime", "lxc-checkpoint's restore cannot pass " + external
                        + " to CRIU: LXC makes " + (lxcs.isEmpty() ? "no veth" : String.join(", ", lxcs))
                        + " from the container's configuration (a bridge mapped to another name is not applied)");
            }
        }
        if (!contributions.joinNamespaces().isEmpty() || !contributions.root().isEmpty()) {
            throw new HaulException("check.runtime", "lxc-checkpoint's restore cannot pass these options to CRIU: "
                    + contributions);
        }
    }

    @Override
    public HeldRestore restore(CriuOptions contributions) throws HaulException {
        Path images = folders.images();
        make(images);
        long limit = backend.holdLimitSeconds() + LxcTools.QUICK_SECONDS;
        CriuHold hold = CriuHold.forRestore(folders.migrationId(), images,
                Duration.ofSeconds(backend.holdLimitSeconds()));
        HeldRuntimeStep step = HeldRuntimeStep.begin(hold, backend.calls(), () -> {
            backend.tools().runLogged("lxc-checkpoint", name, List.of("-r", "-D", images.toString()), limit,
                    LxcBackend.logFolder(folders, "lxc-restore").resolve("lxc.log"));
            return null;
        }, limit, "criu.restore-failed", "lxc-checkpoint's restore of lxc:" + name);
        joinOwnCgroup2(step.reached().initPid());
        return new RuntimeRestore(step, step.reached().initPid());
    }

    /** While CRIU holds the restored tasks: into LXC's cgroup2 cgroup for them, where CRIU missed it (LxcCgroups). */
    private void joinOwnCgroup2(long initPid) {
        try {
            Optional<LxcCgroups.Move> move = LxcCgroups.moveOf(LxcCgroups.of(initPid));
            if (move.isPresent()) {
                int moved = move.get().apply();
                LOG.info("lxc:{}: {} restored process(es) moved from cgroup2 {} into {}, LXC's cgroup for them here",
                        name, moved, move.get().from(), move.get().to());
            }
        } catch (IOException e) {
            // the container runs all the same; only its cgroup2 cgroup would be left when it stops
            LOG.warn("lxc:{}: could not move the restored tasks into LXC's cgroup2 cgroup: {}", name, e.getMessage());
        }
    }

    /**
     * A round of the root file system, unpacked while the container still runs on the source, into a folder of the
     * migration's own (which the engine removes however the migration ends, an agent killed and restarted included):
     * the frozen window then moves it into the lxcpath and unpacks only the last changes.
     */
    @Override
    public void filesArrived(List<Path> files) throws HaulException {
        Path staged = staged();
        long started = System.nanoTime();
        try {
            Files.createDirectories(staged);
        } catch (IOException e) {
            throw new HaulException("lxc.make", "cannot make " + staged + ": " + e.getMessage());
        }
        for (Path file : files) {
            if (TreeCopy.unpackRound(LxcManifest.ROOTFS_TREE, file, staged)) {
                roundsUnpacked++;
            }
        }
        LOG.info("lxc:{}: root file system round {} unpacked ahead of the freeze in {} ms", name, roundsUnpacked,
                (System.nanoTime() - started) / 1_000_000);
    }

    private Path staged() {
        return folders.filesAhead().resolve("lxc-rootfs");
    }

    /** The container's folder with its configuration and root file system, as LXC would have made them. */
    private void make(Path images) throws HaulException {
        Path rootfs = folder.resolve(manifest.facts().getOrDefault(LxcManifest.ROOTFS, "rootfs")).normalize();
        if (!rootfs.startsWith(folder) || rootfs.equals(folder)) {
            throw new HaulException("check.manifest", "the source's lxc manifest puts the root file system outside"
                    + " the container's folder: " + rootfs);
        }
        long started = System.nanoTime();
        try {
            Files.createDirectories(folder.getParent());
            Files.createDirectory(folder, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwx---")));
            made = true;
            Files.createDirectories(rootfs.getParent());
            String how = "unpacked whole";
            if (roundsUnpacked > 0 && moveStaged(rootfs)) {
                TreeCopy.unpackLast(LxcManifest.ROOTFS_TREE, images, rootfs);
                how = "changes since round " + roundsUnpacked + " unpacked";
            } else {
                Files.createDirectories(rootfs);
                TreeCopy.unpack(LxcManifest.ROOTFS_TREE, images, rootfs);
            }
            LOG.info("lxc:{}: root file system {} in the frozen window in {} ms", name, how,
                    (System.nanoTime() - started) / 1_000_000);
            Files.writeString(folder.resolve(LxcContainer.CONFIG), config.text());
            giveToMappedRoot();
        } catch (IOException e) {
            throw new HaulException("lxc.make", "cannot make lxc:" + name + " in " + folder + ": " + e.getMessage());
        }
    }

    /** The rounds unpacked ahead, moved into place; false where the lxcpath is on another file system. */
    private boolean moveStaged(Path rootfs) {
        try {
            Files.move(staged(), rootfs, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            LOG.info("lxc:{}: the root file system unpacked ahead cannot be moved into {} ({}): unpacking it whole",
                    name, rootfs, e.toString());
            return false;
        }
    }

    /**
     * An unprivileged container's folder belongs to its root's host ids, as lxc-create leaves it: LXC's init, already
     * in the container's user namespace, reaches the root file system through it (the folder is rwxrwx---).
     */
    private void giveToMappedRoot() throws IOException {
        LxcIdMaps maps = LxcIdMaps.of(config);
        if (!maps.unprivileged()) {
            return;
        }
        int uid = Math.toIntExact(maps.hostRoot('u').orElseThrow());
        int gid = Math.toIntExact(maps.hostRoot('g').orElseThrow());
        Files.setAttribute(folder, "unix:uid", uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(folder, "unix:gid", gid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public void abandoned() {
        if (!made) {
            return;
        }
        try {
            LxcContainer container = backend.container(name);
            if (!"STOPPED".equals(container.status().state())) {
                backend.tools().run("lxc-stop", name, List.of("-k"));
            }
        } catch (HaulException e) {
            LOG.warn("could not stop lxc:{} made for a migration that rolled back: {}", name, e.getMessage());
        }
        if (!Folders.delete(folder)) {
            LOG.warn("could not remove {} made for lxc:{}", folder, name);
        }
    }
}
