package io.haul.host.proc;

import io.haul.api.namespace.NamespaceInstance;
import io.haul.api.namespace.NamespaceInstance.Place;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespaceTree;
import io.haul.host.linux.ErrnoException;
import io.haul.host.linux.Syscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The namespaces of processes as {@code /proc/PID/ns/} links name them ({@code net:[4026531840]}: kind and inode),
 * below a configurable root so tests can point it at a fake tree of plain files, and a container's whole
 * namespace tree: every instance of every kind that any of its tasks uses, placed as the host's, the container's
 * own (its root task's) or nested, with its owning user namespace and parent where the kernel tells them
 * ({@code NS_GET_USERNS}, {@code NS_GET_PARENT}).
 */
public final class Namespaces {

    /** ioctl requests on a namespace file (linux/nsfs.h): _IO(0xb7, 1) and _IO(0xb7, 2). */
    private static final long NS_GET_USERNS = 0xb701;
    private static final long NS_GET_PARENT = 0xb702;

    private final Path proc;

    public Namespaces(Path proc) {
        this.proc = proc;
    }

    /** The host's /proc. */
    public static Namespaces system() {
        return new Namespaces(Path.of("/proc"));
    }

    /** The inode of a process's namespace of a kind; empty when the process is gone or the kernel lacks the kind. */
    public Optional<Long> inode(long pid, NamespaceKind kind) {
        return inode(Long.toString(pid), kind);
    }

    /** The agent's own namespace of a kind (the host's, as far as a container is concerned). */
    public Optional<Long> own(NamespaceKind kind) {
        return inode("self", kind);
    }

    /** The kinds this kernel has, as the agent's own /proc/self/ns shows them. */
    public Set<NamespaceKind> kinds() {
        Set<NamespaceKind> kinds = EnumSet.noneOf(NamespaceKind.class);
        for (NamespaceKind kind : NamespaceKind.values()) {
            own(kind).ifPresent(inode -> kinds.add(kind));
        }
        return kinds;
    }

    /** The kinds of which a process's namespace is not the agent's: those the process has of its own. */
    public Set<NamespaceKind> ownKinds(long pid) throws IOException {
        Set<NamespaceKind> own = EnumSet.noneOf(NamespaceKind.class);
        for (NamespaceKind kind : kinds()) {
            long inode = inode(pid, kind).orElseThrow(() -> new NoSuchFileException(
                    proc.resolve(Long.toString(pid)).resolve("ns").resolve(kind.procName()).toString()));
            if (inode != own(kind).orElse(-1L)) {
                own.add(kind);
            }
        }
        return own;
    }

    /** The kinds a process has of its own, for listings: none when it is gone (or unreadable) by now. */
    public Set<NamespaceKind> ownKindsOrNone(long pid) {
        try {
            return ownKinds(pid);
        } catch (IOException e) {
            return Set.of();
        }
    }

    /**
     * Every namespace instance the tree of {@code tasks} (its root first, parents before children) uses, by kind.
     * A task that ends while this reads is left out.
     */
    public NamespaceTree tree(List<Long> tasks) {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("a tree has at least its root");
        }
        long root = tasks.getFirst();
        Map<NamespaceKind, List<NamespaceInstance>> instances = new EnumMap<>(NamespaceKind.class);
        for (NamespaceKind kind : kinds()) {
            long host = own(kind).orElse(-1L);
            long container = inode(root, kind).orElse(-1L);
            Map<Long, List<Long>> pidsByInode = new LinkedHashMap<>();
            for (long pid : tasks) {
                inode(pid, kind).ifPresent(inode -> pidsByInode.computeIfAbsent(inode, k -> new ArrayList<>()).add(pid));
            }
            List<NamespaceInstance> found = new ArrayList<>();
            pidsByInode.forEach((inode, pids) -> {
                Place place = inode == host ? Place.HOST : inode == container ? Place.CONTAINER : Place.NESTED;
                found.add(new NamespaceInstance(kind, inode, place, pids, related(pids.getFirst(), kind, NS_GET_USERNS),
                        kind == NamespaceKind.PID || kind == NamespaceKind.USER
                                ? related(pids.getFirst(), kind, NS_GET_PARENT) : 0));
            });
            instances.put(kind, found);
        }
        return new NamespaceTree(root, instances);
    }

    /** The container's namespace tree: its root task and every descendant now. */
    public NamespaceTree treeOf(long rootPid) {
        return tree(ProcessTree.processes(rootPid));
    }

    /**
     * The inode of the namespace an nsfs ioctl names for a task's namespace (its owning user namespace, its
     * parent), or 0 where the kernel does not tell (outside the agent's view, not hierarchical, a fake /proc).
     */
    private long related(long pid, NamespaceKind kind, long request) {
        int fd = -1;
        int relatedFd = -1;
        try {
            fd = Syscalls.open(proc.resolve(Long.toString(pid)).resolve("ns").resolve(kind.procName()).toString(),
                    Syscalls.O_RDONLY | Syscalls.O_CLOEXEC);
            relatedFd = Syscalls.ioctl(fd, request);
            return inodeOfLink(Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(relatedFd))).toString())
                    .orElse(0L);
        } catch (ErrnoException e) {
            return 0; // EPERM (its parent is outside our namespace), ENOTTY (not a namespace file), ESRCH...
        } catch (IOException e) {
            return 0;
        } finally {
            Syscalls.closeQuietly(relatedFd);
            Syscalls.closeQuietly(fd);
        }
    }

    private Optional<Long> inode(String who, NamespaceKind kind) {
        try {
            return inodeOfLink(Files.readSymbolicLink(proc.resolve(who).resolve("ns").resolve(kind.procName())).toString());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** "net:[4026531840]" to 4026531840. */
    static Optional<Long> inodeOfLink(String link) {
        int open = link.indexOf(":[");
        if (open < 0 || !link.endsWith("]")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(link.substring(open + 2, link.length() - 1)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
