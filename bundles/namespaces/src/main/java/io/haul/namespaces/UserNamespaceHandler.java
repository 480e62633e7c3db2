package io.haul.namespaces;

import io.haul.api.HaulException;
import io.haul.api.criu.CriuOptions;
import io.haul.api.namespace.HaulNamespace;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceInstance;
import io.haul.api.namespace.NamespaceInstance.Place;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespaceOffer;
import io.haul.api.namespace.NamespacePlan;
import io.haul.api.namespace.NamespaceTree;
import io.haul.api.namespace.UserNamespaceLimits;
import io.haul.host.proc.MountInfo;
import io.haul.host.proc.Namespaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

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
 * reads and writes them itself. The destination checks, before anything freezes, that it can make the namespace
 * again: it allows user namespaces ({@code user.max_user_namespaces}), and an unprivileged map's host ids are ones it
 * has set aside for root's containers ({@code /etc/subuid}, {@code /etc/subgid}): elsewhere they may be real users'.
 * The source takes that decision first ({@link UserNamespaceFit}), from the limits the destination offered in the
 * handshake ({@link #limits}); the destination takes it again from its own, for a source that does not.
 */
@Component(service = NamespaceHandler.class, configurationPid = UserConfiguration.PID)
@Designate(ocd = UserConfiguration.class)
@HaulNamespace("user")
public final class UserNamespaceHandler extends KindHandler {

    private static final String SHAPE = " (start it as an unprivileged container starts: unshare -U -m -p -f, map"
            + " its ids, mount -t proc proc ROOTFS/proc, pivot_root into ROOTFS)";

    /** Facts: the container's own uid_map and gid_map, as the kernel writes them. */
    static final String FACT_UID_MAP = "uidMap";
    static final String FACT_GID_MAP = "gidMap";

    private final Function<String, List<MountInfo>> mounts;
    private final Path proc;
    private volatile Path subuidFile = Path.of("/etc/subuid");
    private volatile Path subgidFile = Path.of("/etc/subgid");
    private volatile int maxUserNamespaces = -1;

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

    @Activate
    @Modified
    void configure(UserConfiguration configuration) {
        limits(Path.of(configuration.subuidFile()), Path.of(configuration.subgidFile()),
                configuration.maxUserNamespaces());
    }

    /** What this host gives containers' user namespaces: see {@link UserConfiguration}. */
    void limits(Path subuid, Path subgid, int maxNamespaces) {
        subuidFile = subuid;
        subgidFile = subgid;
        maxUserNamespaces = maxNamespaces;
    }

    @Override
    boolean criuMovesNested() {
        return false;
    }

    @Override
    Map<String, String> facts(NamespaceTree tree) throws HaulException {
        if (!MountNamespaceHandler.ownedByTheRoot(tree, NamespaceKind.USER)) {
            return Map.of();
        }
        Path root = proc.resolve(Long.toString(tree.rootPid()));
        try {
            return Map.of(FACT_UID_MAP, Files.readString(root.resolve("uid_map")).strip(),
                    FACT_GID_MAP, Files.readString(root.resolve("gid_map")).strip());
        } catch (IOException e) {
            throw new HaulException("proc.unreadable", "cannot read the user namespace maps of pid " + tree.rootPid()
                    + ": " + e.getMessage(), e);
        }
    }

    /** The destination: whether it can make the container's user namespace with its maps, by its own limits. */
    @Override
    public CriuOptions prepare(NamespacePlan plan, Path migrationDir) throws HaulException {
        CriuOptions options = super.prepare(plan, migrationDir);
        if (!plan.own()) {
            return options;
        }
        UserNamespaceFit.check(plan.facts().getOrDefault(FACT_UID_MAP, ""), plan.facts().getOrDefault(FACT_GID_MAP, ""),
                limits().orElseThrow(), "this host");
        // the restored tasks, inside their namespace, may not open userfaultfd (vm.unprivileged_userfaultfd = 0)
        return options.merge(CriuOptions.of(CriuOptions.Flag.EAGER_MEMORY));
    }

    /** The source: the same decision, from what the destination offered in the handshake. */
    @Override
    public void checkOffer(NamespacePlan plan, NamespaceOffer offer, String destination) throws HaulException {
        if (plan.own() && offer.userNamespaces().isPresent()) {
            UserNamespaceFit.check(plan.facts().getOrDefault(FACT_UID_MAP, ""),
                    plan.facts().getOrDefault(FACT_GID_MAP, ""), offer.userNamespaces().get(), destination);
        }
    }

    /** What this host gives containers' user namespaces now: its files and sysctl are read at each call. */
    @Override
    public Optional<UserNamespaceLimits> limits() throws HaulException {
        long limit = maxUserNamespaces >= 0 ? maxUserNamespaces : kernelLimit();
        return Optional.of(new UserNamespaceLimits(limit, aside(subuidFile), aside(subgidFile), subuidFile.toString(),
                subgidFile.toString()));
    }

    private static List<UserNamespaceLimits.IdRange> aside(Path file) throws HaulException {
        try {
            return SubordinateIds.read(file).ranges().stream()
                    .map(r -> new UserNamespaceLimits.IdRange(r.outside(), r.count())).toList();
        } catch (IOException e) {
            throw new HaulException("namespace.user-ids", "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private long kernelLimit() throws HaulException {
        Path sysctl = proc.resolve("sys/user/max_user_namespaces");
        try {
            return Long.parseLong(Files.readString(sysctl).strip());
        } catch (IOException | NumberFormatException e) {
            throw new HaulException("namespace.user-limit", "cannot read " + sysctl + ": " + e.getMessage(), e);
        }
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
