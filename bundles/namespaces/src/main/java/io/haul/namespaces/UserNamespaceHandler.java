package io.haul.namespaces;

import io.haul.api.HaulException;
import io.haul.api.namespace.HaulNamespace;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceInstance;
import io.haul.api.namespace.NamespaceInstance.Place;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespaceTree;
import io.haul.host.proc.MountInfo;
import io.haul.host.proc.Namespaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.osgi.service.component.annotations.Component;

/**
 * The user namespace. A nested one (a task that ran {@code unshare -U}, as rootless tools inside a container do)
 * CRIU refuses ("Can't dump nested user namespace"), and so does this handler, in the checks. The container's own
 * CRIU moves with its uid and gid maps, privileged or not, when the tree is shaped as an unprivileged container is
 * (LXC's, rootless podman's): CRIU 4.2.1 on this machine's kernel (6.18) dumps and restores it only then, and each
 * other shape fails once the tree is frozen, so this handler refuses those before, with CRIU's error and the way out:
 * <ul>
 * <li>the root's mount namespace must be its own, with a /proc of the tree's PID namespace: CRIU's parasite, inside
 * the task, opens /proc of its own PID namespace, or mounts one, which a task in the host's mount namespace may not
 * ("can't dump unprivileged task whose /proc doesn't belong to it");
 * <li>its root file system must be its own (it pivoted into a folder of the host): CRIU's restore makes the mount
 * namespace inside the user namespace and binds its root from {@code --root}; the host's "/" there fails, recursively
 * ("mnt: Unable to mount /proc/self/fd/8: Invalid argument") or not (then the host mounts below it, copied into a
 * namespace a user namespace owns, are locked to their children: "Failed to open_tree //run/netns: Invalid
 * argument").
 * </ul>
 * What the tree binds into its root from the host is made external (the mnt handler); the maps need no option: CRIU
 * reads and writes them itself.
 */
@Component(service = NamespaceHandler.class)
@HaulNamespace("user")
public final class UserNamespaceHandler extends KindHandler {

    private static final String SHAPE = " (start it as an unprivileged container starts: unshare -U -m -p -f, map"
            + " its ids, mount -t proc proc ROOTFS/proc, pivot_root into ROOTFS)";

    private final Function<String, List<MountInfo>> mounts;
    private final Path proc;

    public UserNamespaceHandler() {
        this(Namespaces.system(), MountInfo::of, Path.of("/proc"));
    }

    UserNamespaceHandler(Namespaces namespaces) {
        this(namespaces, MountInfo::of, Path.of("/proc"));
    }

    /**
     * @param mounts the mounts of the namespace a pid ("self" for the agent) is in
     * @param proc   the host's /proc, through which the tree's own /proc is looked at
     */
    UserNamespaceHandler(Namespaces namespaces, Function<String, List<MountInfo>> mounts, Path proc) {
        super(NamespaceKind.USER, namespaces);
        this.mounts = mounts;
        this.proc = proc;
    }

    @Override
    boolean criuMovesNested() {
        return false;
    }

    @Override
    Optional<HaulException> refusal(NamespaceInstance instance, NamespaceTree tree) {
        if (instance.place() == Place.CONTAINER) {
            return ownNamespaceRefusal(instance, tree);
        }
        return super.refusal(instance, tree);
    }

    private Optional<HaulException> ownNamespaceRefusal(NamespaceInstance instance, NamespaceTree tree) {
        String root = Long.toString(tree.rootPid());
        if (!MountNamespaceHandler.ownedByTheRoot(tree, NamespaceKind.MNT)) {
            return Optional.of(refusal(instance, "the container's own user namespace, with the host's mount namespace:"
                    + " CRIU's dump cannot open a /proc of the tree's PID namespace there nor mount one (CRIU 4.2.1:"
                    + " \"can't dump unprivileged task whose /proc doesn't belong to it\"); give the tree a mount"
                    + " namespace, a /proc and a root file system of its own" + SHAPE));
        }
        if (!ownProc(root)) {
            return Optional.of(refusal(instance, "the container's own user namespace, and its /proc is not its PID"
                    + " namespace's: CRIU's dump would fail with \"can't dump unprivileged task whose /proc doesn't"
                    + " belong to it\"; mount a /proc of its own inside the tree" + SHAPE));
        }
        List<MountInfo> inside = mounts.apply(root);
        if (!TreeRoot.pivoted(inside, mounts.apply("self"))) {
            return Optional.of(refusal(instance, "the container's own user namespace, with the host's / as its root"
                    + " file system: CRIU 4.2.1 restores the mount namespace of such a tree by binding its root inside"
                    + " the user namespace, and on this kernel a bind of the host's / there fails (\"mnt: Unable to"
                    + " mount /proc/self/fd/8: Invalid argument\"; not recursive: \"Failed to open_tree //run/netns:"
                    + " Invalid argument\", the host's mounts below it are locked); give the tree a root file system"
                    + " of its own" + SHAPE));
        }
        return Optional.empty();
    }

    /** Whether the /proc the tree's root sees is its PID namespace's: pid 1 there is in the root's PID namespace. */
    private boolean ownProc(String root) {
        try {
            Path inside = proc.resolve(root).resolve("root/proc/1/ns/pid");
            return Files.readSymbolicLink(inside).equals(Files.readSymbolicLink(proc.resolve(root).resolve("ns/pid")));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    @Override
    String wayOut() {
        return " (CRIU needs every namespace of the tree to belong to its root's user namespace; run that task"
                + " without a user namespace of its own)";
    }
}
