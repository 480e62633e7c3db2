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
 * is 1 as the root. A PID namespace a task of a tree made below the tree's own (its init one level deeper than
 * the tree's root, by NSpid) is part of that tree, not a tree of its own: its tasks join the group of its init's
 * parent (CRIU would dump them with the tree, or the namespace handlers refuse the tree for them). Processes come
 * and go during a scan; one that vanishes is skipped, never an error.
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
        int treeDepth = ownDepth() + 1;
        List<FoundTree> trees = new ArrayList<>();
        for (Map.Entry<String, List<Long>> group : treesOf(groupByPidNamespace(allPids()), treeDepth).entrySet()) {
            if (!group.getKey().equals(ownPidNs)) {
                tree(group.getKey(), group.getValue(), treeDepth).ifPresent(trees::add);
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
        int treeDepth = ownDepth() + 1;
        Map<String, List<Long>> groups = groupByPidNamespace(allPids());
        String treeNs = outermost(pidNs, groups, treeDepth);
        List<Long> members = treesOf(groups, treeDepth).getOrDefault(treeNs, List.of(pid));
        Optional<FoundTree> tree = tree(treeNs, members, treeDepth);
        boolean nested = !treeNs.equals(pidNs);
        if (inner == 1 && !nested) {
            return tree.orElseThrow(() -> notFound(pid)); // it exited while we looked
        }
        throw notATree(tree
                .map(t -> "pid " + pid + " is pid " + inner + " inside " + (nested ? "a PID namespace nested in" : "the"
                        + " PID namespace of") + " tree " + t.rootPid() + ": migrate " + ProcessBackend.NAME + ":"
                        + t.rootPid())
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

    /** How many PID namespaces deep the agent runs (1 in the host's): a tree's root is one level deeper. */
    private int ownDepth() throws HaulException {
        try {
            List<Long> nsPid = proc.selfStatus().nsPid();
            return nsPid == null || nsPid.isEmpty() ? 1 : nsPid.size();
        } catch (IOException e) {
            throw new HaulException("proc.unreadable", "cannot read the agent's own status under " + proc.root()
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * The groups by tree: each nested PID namespace's processes moved into the group of the tree it was made in
     * (see {@link #outermost}); order kept.
     */
    private Map<String, List<Long>> treesOf(Map<String, List<Long>> groups, int treeDepth) {
        Map<String, List<Long>> trees = new LinkedHashMap<>();
        for (Map.Entry<String, List<Long>> group : groups.entrySet()) {
            trees.computeIfAbsent(outermost(group.getKey(), groups, treeDepth), k -> new ArrayList<>())
                    .addAll(group.getValue());
        }
        return trees;
    }

    /**
     * The PID namespace of the tree a namespace belongs to: itself, unless its init is deeper than a tree's root
     * (nested in a tree), then that of its init's parent, climbing until a tree's level. A namespace whose init is
     * not visible stays itself.
     */
    private String outermost(String pidNs, Map<String, List<Long>> groups, int treeDepth) {
        String ns = pidNs;
        for (int level = 0; level < 32; level++) { // the kernel nests PID namespaces 32 deep at most
            Optional<ProcStatus> init = initOf(groups.getOrDefault(ns, List.of()));
            if (init.isEmpty() || init.get().nsPid().size() <= treeDepth) {
                return ns;
            }
            try {
                ns = proc.namespace(init.get().ppid(), NamespaceKind.PID);
            } catch (IOException e) {
                skip(init.get().ppid(), e);
                return ns;
            }
        }
        return ns;
    }

    /** The status of the task that is pid 1 of the namespace these processes share, when it is visible. */
    private Optional<ProcStatus> initOf(List<Long> members) {
        for (long pid : members) {
            try {
                ProcStatus status = proc.status(pid);
                if (status.innermostPid() == 1 && status.nsPid() != null) {
                    return Optional.of(status);
                }
            } catch (IOException e) {
                skip(pid, e);
            }
        }
        return Optional.empty();
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

    /**
     * The tree of one PID namespace (with the processes of the namespaces nested in it), or empty when its root is
     * not there (exited, or NSpid unknown). The root is the init at a tree's depth, not a nested namespace's.
     */
    private Optional<FoundTree> tree(String pidNs, List<Long> members, int treeDepth) {
        long root = -1;
        ProcStatus rootStatus = null;
        int processes = 0;
        long rss = 0;
        for (long pid : members) {
            try {
                ProcStatus status = proc.status(pid);
                processes++;
                rss += status.rssBytes();
                if (status.innermostPid() == 1 && status.nsPid().size() <= treeDepth) {
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
