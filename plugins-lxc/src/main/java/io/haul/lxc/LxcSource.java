package io.haul.lxc;

import io.haul.api.HaulException;
import io.haul.api.backend.ContainerManifest;
import io.haul.api.backend.FileSync;
import io.haul.api.backend.HeldCheckpoint;
import io.haul.api.backend.MigrationFolders;
import io.haul.api.backend.RuntimeSourceSession;
import io.haul.api.backend.SourcePlan;
import io.haul.api.criu.CriuOptions;
import io.haul.api.namespace.NamespaceInstance;
import io.haul.api.namespace.NamespaceKind;
import io.haul.criu.hold.CriuHold;
import io.haul.criu.hold.HeldRuntimeStep;
import io.haul.criu.hold.RuntimeCheckpoint;
import io.haul.host.files.TreeCopy;
import io.haul.host.files.TreeSync;
import io.haul.host.proc.Namespaces;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An LXC container's migration on the source: its root file system sent ahead in rounds, lxc-checkpoint's dump held
 * at post-dump, its configuration in the manifest; after the commit point LXC destroys it here.
 */
final class LxcSource implements RuntimeSourceSession {

    private static final Logger LOG = LoggerFactory.getLogger(LxcSource.class);

    private final LxcBackend backend;
    private final String name;
    private final MigrationFolders folders;
    /** The container as the checks saw it: the checkpoint must find the same init. */
    private LxcContainer checked;

    LxcSource(LxcBackend backend, String name, MigrationFolders folders) {
        this.backend = backend;
        this.name = name;
        this.folders = folders;
    }

    @Override
    public SourcePlan check() throws HaulException {
        LxcContainer container = backend.container(name);
        String whyNot = container.whyNot();
        if (!whyNot.isEmpty()) {
            throw new HaulException("container.not-migratable", "lxc:" + name + " cannot be migrated: " + whyNot);
        }
        checked = container;
        Path rootfs = container.rootfs().orElseThrow();
        return new SourcePlan(container.info(), new ContainerManifest(LxcContainer.BACKEND, name, Map.of(
                LxcManifest.NAME, name,
                LxcManifest.CONFIG, container.config().text(),
                LxcManifest.FOLDER, container.folder().toString(),
                LxcManifest.ARCH, System.getProperty("os.arch"),
                LxcManifest.ROOTFS, container.folder().relativize(rootfs).toString(),
                LxcManifest.ROOTFS_BYTES, Long.toString(bytes(rootfs)),
                LxcManifest.BIND_MOUNTS, LxcBindMounts.of(container.config()).encode())));
    }

    /**
     * LXC passes TCP connections and file locks to CRIU always; nothing else of the handlers' is needed to dump. An
     * unprivileged container's own root file system makes the mnt handler ask for CRIU's {@code mnt[]} detection of
     * what it binds from the host: LXC names the container's mounts to CRIU itself (its root, its device binds), so
     * that is taken, unless a task nested a mount namespace of its own, whose host mounts LXC does not know.
     */
    @Override
    public void accept(CriuOptions contributions) throws HaulException {
        if (contributions.externals().equals(List.of(LxcDestination.AUTO_EXTERNAL_MOUNTS))
                && LxcIdMaps.of(backend.container(name).config()).unprivileged() && !nestedMountNamespace()) {
            contributions = new CriuOptions(List.of(), contributions.joinNamespaces(), contributions.root(),
                    contributions.flags());
        }
        if (!contributions.externals().isEmpty() || !contributions.joinNamespaces().isEmpty()
                || !contributions.root().isEmpty() || contributions.has(CriuOptions.Flag.SHELL_JOB)
                || contributions.has(CriuOptions.Flag.EXTERNAL_UNIX_SOCKETS)) {
            throw new HaulException("check.runtime", "lxc-checkpoint cannot pass these options to CRIU: "
                    + contributions);
        }
    }

    private boolean nestedMountNamespace() throws HaulException {
        long pid = backend.container(name).initPid();
        return pid > 0 && Namespaces.system().treeOf(pid).of(NamespaceKind.MNT).stream()
                .anyMatch(i -> i.place() == NamespaceInstance.Place.NESTED);
    }

    @Override
    public Optional<FileSync> files() {
        return Optional.of(new TreeSync(List.of(new TreeCopy(LxcManifest.ROOTFS_TREE, checked.rootfs().orElseThrow())),
                folders.filesAhead().resolve("state")));
    }

    @Override
    public HeldCheckpoint checkpoint(CriuOptions contributions) throws HaulException {
        LxcContainer container = backend.container(name);
        if (container.initPid() != checked.initPid()) {
            throw new HaulException("container.changed", "lxc:" + name + " restarted since the migration began");
        }
        Path images = folders.images();
        long limit = backend.holdLimitSeconds() + LxcTools.QUICK_SECONDS;
        CriuHold hold = CriuHold.forDump(container.initPid(), Duration.ofSeconds(backend.holdLimitSeconds()));
        Instant start = Instant.now();
        HeldRuntimeStep step = HeldRuntimeStep.begin(hold, backend.calls(), () -> {
            // -s: the dump stops the container (CRIU kills it once the hold says go)
            backend.tools().runLogged("lxc-checkpoint", name, List.of("-s", "-D", images.toString()), limit,
                    LxcBackend.logFolder(folders, "lxc-checkpoint").resolve("lxc.log"));
            return null;
        }, limit, "criu.dump-failed", "lxc-checkpoint of lxc:" + name);
        return new RuntimeCheckpoint(step, Duration.between(start, Instant.now()));
    }

    /** The bytes of a folder's files, for the destination's room check. */
    private static long bytes(Path folder) throws HaulException {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(folder)) {
            return files.filter(f -> java.nio.file.Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .mapToLong(f -> f.toFile().length()).sum();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            throw new HaulException("lxc.rootfs", "cannot measure the root file system " + folder + ": "
                    + e.getMessage());
        }
    }

    @Override
    public void committed() {
        try {
            backend.tools().run("lxc-wait", name, List.of("-s", "STOPPED", "-t", "30"));
            backend.tools().run("lxc-destroy", name, List.of());
            LOG.info("lxc:{} moved; destroyed here", name);
        } catch (HaulException e) {
            LOG.warn("lxc:{} moved, but LXC could not destroy its copy here: {}", name, e.getMessage());
        }
    }
}
