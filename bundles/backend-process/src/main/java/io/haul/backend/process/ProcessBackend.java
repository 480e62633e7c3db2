package io.haul.backend.process;

import io.haul.api.ContainerRef;
import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.backend.ContainerBackend;
import io.haul.api.backend.ContainerInfo;
import io.haul.api.backend.ContainerManifest;
import io.haul.api.backend.DestinationSession;
import io.haul.api.backend.HaulBackend;
import io.haul.api.backend.MigrationFolders;
import io.haul.api.backend.SourcePlan;
import io.haul.api.backend.SourceSession;
import io.haul.api.namespace.NamespaceKind;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code process} backend: a container is a process tree in its own PID namespace, named by the host
 * pid of its root ({@code process:4242}). Nothing but /proc is asked; there is no runtime to tell, so the engine
 * dumps and restores the tree with its own CRIU ({@link ProcessSource}, {@link ProcessDestination}).
 */
@Component(service = ContainerBackend.class)
@HaulBackend(ProcessBackend.NAME)
public final class ProcessBackend implements ContainerBackend {

    static final String NAME = "process";
    /** Manifest fact: the root's working directory, for people reading the destination's log. */
    static final String FACT_CWD = "cwd";

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
    public SourceSession openSource(ContainerInfo container, MigrationFolders folders) {
        if (!NAME.equals(container.ref().backend())) {
            throw new IllegalArgumentException("not a " + NAME + " container: " + container.ref());
        }
        return new ProcessSource(this, container.ref().id());
    }

    @Override
    public DestinationSession openDestination(ContainerManifest manifest, MigrationFolders folders)
            throws HaulException {
        if (!NAME.equals(manifest.backend())) {
            throw new HaulException("container.bad-manifest",
                    "the " + NAME + " backend cannot restore a " + manifest.backend() + " container");
        }
        return new ProcessDestination();
    }

    /**
     * The tree as it is now, refused when it cannot move, with what the destination needs to know of it: looked
     * up again, as it may have changed (or gone) since it was listed.
     */
    SourcePlan check(String id) throws HaulException {
        FoundTree tree = finder.find(parseId(id));
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
        LOG.info("checked {}:{}: {} processes, own namespaces {}", NAME, tree.rootPid(), tree.processes(),
                tree.ownNamespaces());
        return new SourcePlan(info(tree), new ContainerManifest(NAME, Long.toString(tree.rootPid()),
                Map.of(FACT_CWD, cwd)));
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

    private static ContainerInfo info(FoundTree tree) {
        return new ContainerInfo(new ContainerRef(NAME, Long.toString(tree.rootPid())), tree.rootPid(), tree.command(),
                tree.processes(), tree.rssBytes(), tree.ownNamespaces(), tree.migratable(), tree.whyNot(),
                Map.of("pidNamespace", tree.pidNamespace(), "session", Long.toString(tree.sessionId())));
    }
}
