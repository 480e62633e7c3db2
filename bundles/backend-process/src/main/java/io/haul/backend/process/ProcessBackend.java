package io.haul.backend.process;

import io.haul.api.ContainerRef;
import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.backend.ContainerBackend;
import io.haul.api.backend.ContainerInfo;
import io.haul.api.backend.DumpPlan;
import io.haul.api.backend.DumpPlan.ContainerManifest;
import io.haul.api.backend.RestorePlan;
import io.haul.api.namespace.NamespaceKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code process} backend: a container is a process tree in its own PID namespace, named by the host
 * pid of its root ({@code process:4242}). Nothing but /proc is asked; there is no runtime to tell.
 */
@Component(service = ContainerBackend.class, property = ContainerBackend.NAME + "=" + ProcessBackend.NAME)
public final class ProcessBackend implements ContainerBackend {

    static final String NAME = "process";
    /** Manifest facts: the root's working directory, and the namespace kinds it had of its own (procfs names). */
    static final String FACT_CWD = "cwd";
    static final String FACT_OWN_NAMESPACES = "ownNamespaces";

    private static final Logger LOG = LoggerFactory.getLogger(ProcessBackend.class);

    private final ProcFs proc;
    private final TreeFinder finder;

    /** For DS: the host's /proc. */
    public ProcessBackend() {
        this(ProcFs.system());
    }

    ProcessBackend(ProcFs proc) {
        this.proc = proc;
        this.finder = new TreeFinder(proc);
    }

    @Override
    public Usability usability() {
        if (!Files.isDirectory(proc.root()) || !Files.isReadable(proc.root())) {
            return Usability.no(proc.root() + " is not readable: the process backend finds trees through it");
        }
        ProcStatus self;
        try {
            self = proc.selfStatus();
            proc.selfNamespace(NamespaceKind.PID);
        } catch (IOException e) {
            return Usability.no("cannot read the agent's own entry under " + proc.root() + ": " + e.getMessage());
        }
        if (self.effectiveUid() != 0) {
            return Usability.no("the agent runs as uid " + self.effectiveUid() + ", and CRIU needs root to dump"
                    + " and restore process trees");
        }
        if (self.innermostPid() < 0) {
            return Usability.no("this kernel's /proc/PID/status has no NSpid line (Linux 4.1 or newer needed),"
                    + " so PID namespace roots cannot be recognised");
        }
        return Usability.yes();
    }

    @Override
    public List<ContainerInfo> list() throws HaulException {
        return finder.findAll().stream().map(ProcessBackend::info).toList();
    }

    @Override
    public ContainerInfo inspect(String id) throws HaulException {
        return info(finder.find(parseId(id)));
    }

    @Override
    public DumpPlan planDump(ContainerInfo container, Path imageDir) throws HaulException {
        if (!NAME.equals(container.ref().backend())) {
            throw new IllegalArgumentException("not a " + NAME + " container: " + container.ref());
        }
        // look again: the tree may have changed (or gone) since the caller's inspect
        ProcessTree tree = finder.find(parseId(container.ref().id()));
        if (!tree.migratable()) {
            throw new HaulException("container.not-migratable",
                    NAME + ":" + tree.rootPid() + " cannot be migrated: " + tree.whyNot());
        }
        String cwd;
        try {
            cwd = proc.cwd(tree.rootPid());
        } catch (IOException e) {
            throw ProcFs.gone(e)
                    ? new HaulException("container.not-found", "no process " + tree.rootPid() + " on this host")
                    : new HaulException("proc.unreadable", "cannot read the working directory of "
                            + tree.rootPid() + ": " + e.getMessage(), e);
        }
        Map<String, String> facts = Map.of(FACT_CWD, cwd, FACT_OWN_NAMESPACES, namespaceList(tree));
        LOG.info("dump plan for {}:{}: {} processes, own namespaces [{}]", NAME, tree.rootPid(), tree.processes(),
                facts.get(FACT_OWN_NAMESPACES));
        // The session leader is inside (checked above), so no shell job; TCP connections and file locks are
        // the tree's state and move with it.
        return new DumpPlan(tree.rootPid(), List.of(), true, false, true,
                new ContainerManifest(NAME, Long.toString(tree.rootPid()), facts));
    }

    /**
     * Only carries the source's facts over: restoring into the host's root with CRIU's own namespaces needs
     * nothing from this backend yet. Namespace files and externals come with the migration work.
     */
    @Override
    public RestorePlan planRestore(ContainerManifest manifest, Path imageDir) throws HaulException {
        if (!NAME.equals(manifest.backend())) {
            throw new HaulException("container.bad-manifest",
                    "the " + NAME + " backend cannot restore a " + manifest.backend() + " container");
        }
        return new RestorePlan(List.of(), Map.of(), restoreRoot(manifest), manifest.facts());
    }

    /**
     * A tree with its own mount namespace restores only with the host's root given to CRIU ("mnt: BUG at
     * criu/mount.c:48" without it, CRIU 4.2.1); one sharing the host's mounts restores in place.
     */
    static String restoreRoot(ContainerManifest manifest) {
        String owned = manifest.facts().getOrDefault(FACT_OWN_NAMESPACES, "");
        return List.of(owned.split(",")).contains("mnt") ? "/" : "";
    }

    private static long parseId(String id) throws HaulException {
        long pid;
        try {
            pid = Long.parseLong(id == null ? "" : id.strip());
        } catch (NumberFormatException e) {
            pid = -1;
        }
        if (pid <= 0) {
            throw new HaulException("container.bad-id",
                    "a " + NAME + " container is named by its root's host pid (e.g. " + NAME + ":4242), not '" + id + "'");
        }
        return pid;
    }

    private static ContainerInfo info(ProcessTree tree) {
        return new ContainerInfo(new ContainerRef(NAME, Long.toString(tree.rootPid())), tree.rootPid(), tree.command(),
                tree.processes(), tree.rssBytes(), tree.ownNamespaces(), tree.migratable(), tree.whyNot(),
                Map.of("pidNamespace", tree.pidNamespace(), "session", Long.toString(tree.sessionId())));
    }

    private static String namespaceList(ProcessTree tree) {
        // enum order, so the same tree always gives the same text
        return tree.ownNamespaces().stream().sorted().map(NamespaceKind::procName).collect(Collectors.joining(","));
    }
}
