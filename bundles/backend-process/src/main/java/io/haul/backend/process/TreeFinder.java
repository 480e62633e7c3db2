package io.haul.backend.process;

import io.haul.api.HaulException;
import io.haul.api.namespace.NamespaceKind;
import io.haul.host.proc.Namespaces;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the process trees that run in their own PID namespace: groups the processes by their
 * {@code ns/pid} link, and in every group other than the agent's takes the process whose innermost pid
 * is 1 as the root. Processes come and go during a scan; one that vanishes is skipped, never an error.
 */
final class TreeFinder {

    private static final Logger LOG = LoggerFactory.getLogger(TreeFinder.class);
    private static final int MAX_COMMAND = 200;
    private static final String HOW_TO_LIST = "haul:ps lists the trees that can be migrated";

    private final ProcFs proc;
    private final Namespaces namespaces;

    TreeFinder(ProcFs proc) {
        this.proc = proc;
        this.namespaces = new Namespaces(proc.root());
    }

    /** Every tree on this host, migratable or not. */
    List<FoundTree> findAll() throws HaulException {
        String ownPidNs = ownPidNamespace();
        List<FoundTree> trees = new ArrayList<>();
        for (Map.Entry<String, List<Long>> group : groupByPidNamespace(allPids()).entrySet()) {
            if (!group.getKey().equals(ownPidNs)) {
                tree(group.getKey(), group.getValue()).ifPresent(trees::add);
            }
        }
        return trees;
    }

    /**
     * The tree whose root is {@code pid}: {@code container.not-found} when there is no such process,
     * {@code container.not-a-tree} (saying what it is instead) when it is not the root of its own PID namespace.
     */
    FoundTree find(long pid) throws HaulException {
        if (!proc.exists(pid)) {
            throw notFound(pid);
        }
        String ownPidNs = ownPidNamespace();
        String pidNs;
        ProcStatus status;
        try {
            pidNs = proc.namespace(pid, NamespaceKind.PID);
            status = proc.status(pid);
        } catch (IOException e) {
            throw unreadable(pid, e);
        }
        if (status.tgid() > 0 && status.tgid() != pid) {
            throw notATree("pid " + pid + " is a thread of process " + status.tgid() + "; " + HOW_TO_LIST);
        }
        if (pidNs.equals(ownPidNs)) {
            throw notATree("pid " + pid + " is not in its own PID namespace; " + HOW_TO_LIST);
        }
        long inner = status.innermostPid();
        if (inner < 0) {
            throw notATree("cannot tell whether pid " + pid + " is the root of its PID namespace: this kernel's "
                    + "/proc/" + pid + "/status has no NSpid line (Linux 4.1 or newer needed)");
        }
        List<Long> members = groupByPidNamespace(allPids()).getOrDefault(pidNs, List.of(pid));
        Optional<FoundTree> tree = tree(pidNs, members);
        if (inner == 1) {
            return tree.orElseThrow(() -> notFound(pid)); // it exited while we looked
        }
        throw notATree(tree
                .map(t -> "pid " + pid + " is pid " + inner + " inside the PID namespace of tree " + t.rootPid()
                        + ": migrate " + ProcessBackend.NAME + ":" + t.rootPid())
                .orElse("pid " + pid + " is pid " + inner + " inside a PID namespace whose root is not visible "
                        + "from here; " + HOW_TO_LIST));
    }

    private String ownPidNamespace() throws HaulException {
        try {
            return proc.selfNamespace(NamespaceKind.PID);
        } catch (IOException e) {
            throw new HaulException("proc.unreadable", "cannot read the agent's own PID namespace under "
                    + proc.root() + ": " + e.getMessage(), e);
        }
    }

    private List<Long> allPids() throws HaulException {
        try {
            return proc.pids();
        } catch (IOException e) {
            throw new HaulException("proc.unreadable", "cannot list " + proc.root() + ": " + e.getMessage(), e);
        }
    }

    /** The processes by PID namespace, in /proc order. One readlink each: cheap even on a busy host. */
    private Map<String, List<Long>> groupByPidNamespace(List<Long> pids) {
        Map<String, List<Long>> groups = new LinkedHashMap<>();
        for (long pid : pids) {
            try {
                groups.computeIfAbsent(proc.namespace(pid, NamespaceKind.PID), k -> new ArrayList<>()).add(pid);
            } catch (IOException e) {
                skip(pid, e);
            }
        }
        return groups;
    }

    /** The tree of one PID namespace, or empty when its root is not there (exited, or NSpid unknown). */
    private Optional<FoundTree> tree(String pidNs, List<Long> members) {
        long root = -1;
        ProcStatus rootStatus = null;
        int processes = 0;
        long rss = 0;
        for (long pid : members) {
            try {
                ProcStatus status = proc.status(pid);
                processes++;
                rss += status.rssBytes();
                if (status.innermostPid() == 1) {
                    root = pid;
                    rootStatus = status;
                }
            } catch (IOException e) {
                skip(pid, e);
            }
        }
        if (rootStatus == null) {
            LOG.debug("PID namespace {} ({} processes) has no visible root", pidNs, processes);
            return Optional.empty();
        }
        try {
            ProcStat rootStat = proc.stat(root);
            String command = proc.cmdline(root);
            if (command.isEmpty()) {
                // no command line: a zombie's is gone, and a task CRIU restored lazily shows none until its memory is
                // in (the kernel's read of it does not wait for the lazy-pages daemon); ps shows both like this
                command = "[" + rootStat.comm() + "]";
            }
            if (command.length() > MAX_COMMAND) {
                command = command.substring(0, MAX_COMMAND).strip();
            }
            return Optional.of(new FoundTree(root, pidNs, command, processes, rss, namespaces.ownKinds(root),
                    rootStat.session(), Migratability.whyNot(proc, root, pidNs, rootStat, rootStatus)));
        } catch (IOException e) {
            skip(root, e);
            return Optional.empty();
        }
    }

    private static void skip(long pid, IOException e) {
        if (ProcFs.gone(e)) {
            LOG.debug("pid {} exited during the scan: {}", pid, e.toString());
        } else if (e instanceof AccessDeniedException) {
            LOG.debug("pid {} is not readable by the agent: {}", pid, e.toString()); // only when not root

        } else {
            LOG.warn("skipping pid {}: {}", pid, e.toString());
        }
    }

    private HaulException unreadable(long pid, IOException e) {
        if (ProcFs.gone(e)) {
            return notFound(pid);
        }
        return new HaulException("proc.unreadable", "cannot read " + proc.root().resolve(Long.toString(pid))
                + ": " + e.getMessage(), e);
    }

    private static HaulException notFound(long pid) {
        return new HaulException("container.not-found", "no process " + pid + " on this host");
    }

    private static HaulException notATree(String message) {
        return new HaulException("container.not-a-tree", message);
    }
}
