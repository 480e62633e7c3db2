package io.haul.host.proc;

import io.haul.host.linux.ErrnoException;
import io.haul.host.linux.Syscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The open files of a tree that CRIU cannot dump because they are on a mount none of the tree's mount
 * namespaces has. CRIU looks every file's mount ({@code mnt_id} in fdinfo) up among the mounts of the mount
 * namespaces of the tasks it dumps, and fails the dump, tree frozen, when it is not there ("Can't lookup
 * mount=50 for fd=3 path=/haul-corpus"). It happens to a POSIX message queue (its file is on the IPC
 * namespace's own internal mqueue mount, which no mount namespace shows), to a file opened in another mount
 * namespace and passed in, and to a file on a mount since unmounted (lazily). Pipes, sockets, anonymous inodes
 * and memfds are on internal mounts too, but CRIU dumps them by kind, without a mount: their links do not start
 * with '/' (memfds' do: "/memfd:name (deleted)"). A file the dump is told is external ({@code file[mnt:ino]})
 * is not CRIU's to find.
 */
public final class FilesOutsideMounts {

    /** statfs's f_type of the mqueue file system (linux/magic.h). */
    static final long MQUEUE_MAGIC = 0x19800202L;

    private FilesOutsideMounts() {
    }

    /**
     * One line per such file, naming the task, the fd, its path, why CRIU fails and, where there is one, the way
     * out: "pid 412 (posix-mq) fd 3 (/haul-corpus): a POSIX message queue ... ".
     *
     * @param externals the dump's {@code --external} entries
     */
    public static List<String> of(List<Long> pids, Collection<String> externals) {
        Set<Integer> mounts = mountsOfTheTree(pids);
        List<String> found = new ArrayList<>();
        for (OpenFd open : OpenFd.of(pids)) {
            long mount = open.number("mnt_id");
            if (!open.target().startsWith("/") || open.target().startsWith("/memfd:") || mount < 0
                    || mounts.contains((int) mount)
                    || externals.contains("file[" + Long.toHexString(mount) + ":" + Long.toHexString(open.number("ino")) + "]")) {
                continue;
            }
            found.add(open.describe() + ": " + (messageQueue(open) ? "a POSIX message queue, on the IPC namespace's "
                    + "internal mqueue mount (mount " + mount + "), which no mount namespace shows; CRIU 4.2.1 cannot "
                    + "dump message queues (\"Can't lookup mount=" + mount + "\"); close it (mq_close) before the "
                    + "migration, or keep the messages in a SysV message queue, which moves"
                    : "on mount " + mount + ", which none of the tree's mount namespaces has (the file was opened "
                    + "in another mount namespace, or its mount is gone); CRIU cannot dump it (\"Can't lookup mount="
                    + mount + "\"); close it, or open it through a mount the container has"));
        }
        return found;
    }

    /** The ids of the mounts of every mount namespace a task of the tree is in. */
    private static Set<Integer> mountsOfTheTree(List<Long> pids) {
        Set<String> namespaces = new HashSet<>();
        Set<Integer> mounts = new HashSet<>();
        for (long pid : pids) {
            String namespace;
            try {
                namespace = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "mnt")).toString();
            } catch (IOException e) {
                continue; // gone
            }
            if (namespaces.add(namespace)) {
                for (MountInfo mount : MountInfo.of(Long.toString(pid))) {
                    mounts.add(mount.id());
                }
            }
        }
        return mounts;
    }

    private static boolean messageQueue(OpenFd open) {
        try {
            return Syscalls.fileSystemType(open.procPath().toString()) == MQUEUE_MAGIC;
        } catch (ErrnoException e) {
            return false; // closed meanwhile: the general reason stands
        }
    }
}
