package io.haul.namespaces;

import io.haul.api.HaulException;
import io.haul.api.criu.CriuOptions;
import io.haul.api.namespace.HaulNamespace;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceInstance;
import io.haul.api.namespace.NamespaceInstance.Place;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespacePlan;
import io.haul.api.namespace.NamespaceTree;
import io.haul.host.proc.MountInfo;
import io.haul.host.proc.Namespaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import org.osgi.service.component.annotations.Component;

/**
 * The mnt namespace: CRIU dumps the container's own and nested ones with the tree and recreates them. A tree
 * with a mount namespace of its own restores only with a root given to CRIU ("mnt: BUG at criu/mount.c:48"
 * without one, CRIU 4.2.1): this handler offers the host's, which a backend that restores into a root file
 * system of its own overrides.
 *
 * <p>A mount namespace made with {@code unshare -m} starts as a copy of its parent's mounts, the host's among them,
 * and CRIU dumps a mount only when it can make it again: a file system it knows, or a bind of a mount of the tree.
 * The host's namespace bind mounts ({@code /run/netns/NAME}, nsfs) are neither, and the dump fails in the frozen
 * window ("mnt: ./run/netns/NAME doesn't have a proper root mount"). So wherever a tree holds a nested mount
 * namespace, or its own holds nsfs mounts, this handler has CRIU treat every mount that shows what a host mount
 * shows as external ({@code --external mnt[]}, CRIU's own detection, on dump and restore): on the destination CRIU
 * binds each from the same path of that host, and dumps only what the tree mounted itself (a tmpfs, with its
 * files). The destination checks, before anything freezes, that it has each of those paths. Nothing of the tree's
 * mounts is changed on the source.
 */
@Component(service = NamespaceHandler.class)
@HaulNamespace("mnt")
public final class MountNamespaceHandler extends KindHandler {

    /** CRIU's "detect external mounts" entry, for dump and restore alike. */
    static final String AUTO_EXTERNAL = "mnt[]";
    /** Fact: the host paths the tree's mounts are bound from, one a line; present when AUTO_EXTERNAL is used. */
    static final String FACT_HOST_MOUNTS = "hostMounts";
    /** Fact: the tree's root file system, a host path, when it is not the host's "/" (it pivoted into its own). */
    static final String FACT_ROOT = NamespacePlan.FACT_OWN_ROOT;

    private final Function<String, List<MountInfo>> mounts;

    public MountNamespaceHandler() {
        this(Namespaces.system(), MountInfo::of);
    }

    MountNamespaceHandler(Namespaces namespaces) {
        this(namespaces, MountInfo::of);
    }

    /** @param mounts the mounts of the namespace a pid ("self" for the agent) is in */
    MountNamespaceHandler(Namespaces namespaces, Function<String, List<MountInfo>> mounts) {
        super(NamespaceKind.MNT, namespaces);
        this.mounts = mounts;
    }

    @Override
    boolean criuMovesNested() {
        return true;
    }

    /**
     * Beyond the nesting rules: a namespace mount (nsfs) the host no longer shows (its {@code ip netns} name was
     * deleted after the tree copied the host's mounts) is neither a file system CRIU makes nor one it can bind
     * from the host, and its dump would fail with the tree frozen.
     */
    @Override
    Optional<HaulException> refusal(NamespaceInstance instance, NamespaceTree tree) {
        Optional<HaulException> refused = super.refusal(instance, tree);
        if (refused.isPresent() || instance.place() == Place.HOST) {
            return refused;
        }
        List<MountInfo> host = mounts.apply("self");
        for (MountInfo mount : mounts.apply(Long.toString(instance.firstPid()))) {
            if (mount.nsfs() && mount.seenOnHostAt(host).isEmpty()) {
                return Optional.of(refusal(instance, "its mount " + mount.mountPoint() + " pins the namespace "
                        + mount.root() + ", which the host no longer has mounted anywhere, so CRIU can neither make it"
                        + " again nor bind it from the host; unmount it inside the tree (or mount that namespace on"
                        + " the host again) and move the tree then"));
            }
        }
        return Optional.empty();
    }

    @Override
    Map<String, String> facts(NamespaceTree tree) {
        Map<String, String> facts = new java.util.LinkedHashMap<>();
        List<String> bound = hostMounts(tree);
        if (!bound.isEmpty()) {
            facts.put(FACT_HOST_MOUNTS, String.join("\n", bound));
        }
        ownRoot(tree).ifPresent(root -> facts.put(FACT_ROOT, root));
        return facts;
    }

    /**
     * The root file system of a tree in a user namespace of its own that pivoted into its own root (its root's mount
     * namespace is not the host's, and its root mount shows a folder of the host other than "/"): CRIU's restore
     * must be given that folder as its root (a bind of the host's "/" fails there: see UserNamespaceHandler). Only
     * for such trees: a runtime (Docker, runc) restores its containers into the root it manages itself.
     */
    private Optional<String> ownRoot(NamespaceTree tree) {
        boolean own = ownedByTheRoot(tree, NamespaceKind.MNT) && ownedByTheRoot(tree, NamespaceKind.USER);
        if (!own) {
            return Optional.empty();
        }
        return TreeRoot.hostPath(mounts.apply(Long.toString(tree.rootPid())), mounts.apply("self"))
                .filter(path -> !path.equals("/"));
    }

    @Override
    CriuOptions dump(NamespaceTree tree) {
        return hostMounts(tree).isEmpty() ? CriuOptions.NONE : CriuOptions.NONE.withExternal(AUTO_EXTERNAL);
    }

    /** Whether the tree's root is in a namespace of this kind of the container's own. */
    static boolean ownedByTheRoot(NamespaceTree tree, NamespaceKind kind) {
        return tree.of(kind).stream().anyMatch(i -> i.place() == Place.CONTAINER && i.pids().contains(tree.rootPid()));
    }

    @Override
    String help(NamespaceInstance instance, NamespacePlan plan) {
        String bound = plan.facts().getOrDefault(FACT_HOST_MOUNTS, "");
        String root = plan.facts().getOrDefault(FACT_ROOT, "");
        String rootDetail = root.isEmpty() ? "restored with the host's / as its root"
                : "restored with its own root file system " + root + " (the same path on the destination)";
        if (bound.isEmpty()) {
            return instance.place() == Place.CONTAINER ? rootDetail : "";
        }
        List<String> paths = List.of(bound.split("\n"));
        return "the mounts it shares with the host (" + paths.size() + ": " + String.join(", ",
                paths.subList(0, Math.min(4, paths.size()))) + (paths.size() > 4 ? ", ..." : "") + ") are bound again"
                + " from the destination's same paths (CRIU's " + AUTO_EXTERNAL + "); CRIU dumps what its tasks mounted"
                + " themselves" + (root.isEmpty() || instance.place() != Place.CONTAINER ? "" : "; " + rootDetail);
    }

    @Override
    String hostDetail(NamespaceInstance instance) {
        return "the tree sees the destination's mounts there";
    }

    @Override
    public CriuOptions prepare(NamespacePlan plan, Path migrationDir) throws HaulException {
        CriuOptions options = super.prepare(plan, migrationDir);
        String bound = plan.facts().getOrDefault(FACT_HOST_MOUNTS, "");
        if (!bound.isEmpty()) {
            List<String> missing = new ArrayList<>();
            for (String path : bound.split("\n")) {
                if (!Files.exists(Path.of(path))) {
                    missing.add(path);
                }
            }
            if (!missing.isEmpty()) {
                throw new HaulException("mount.missing", "the container's mount namespaces show host mounts that this"
                        + " host does not have, and CRIU binds them from the same paths here: " + String.join(", ",
                        missing) + "; make them here first (or let the container stop using them)");
            }
            options = options.withExternal(AUTO_EXTERNAL);
        }
        String root = plan.facts().getOrDefault(FACT_ROOT, "/");
        if (!Files.isDirectory(Path.of(root))) {
            throw new HaulException("mount.missing", "the container's root file system " + root + " is not on this"
                    + " host, and CRIU restores the container into it from the same path; make it available here"
                    + " (shared storage, or a copy at that path) first");
        }
        return plan.own() ? options.withRoot(root) : options;
    }

    /**
     * The host paths the tree's own and nested mount namespaces show (what CRIU's {@code mnt[]} detection makes
     * external), when CRIU needs that detection: a nested namespace below the container's own, nsfs mounts in
     * the container's own, or a root file system of its own in a user namespace of its own (what it binds there from
     * the host, /dev/null say, CRIU cannot make otherwise: "doesn't have a proper root mount"). Empty otherwise, and
     * for a tree whose mounts are the host's.
     */
    private List<String> hostMounts(NamespaceTree tree) {
        List<NamespaceInstance> own = tree.of(NamespaceKind.MNT).stream().filter(i -> i.place() != Place.HOST).toList();
        if (own.isEmpty()) {
            return List.of();
        }
        boolean nested = own.stream().anyMatch(i -> i.place() == Place.NESTED);
        List<MountInfo> host = mounts.apply("self");
        TreeSet<String> paths = new TreeSet<>();
        boolean nsfs = false;
        for (NamespaceInstance instance : own) {
            List<MountInfo> inside = mounts.apply(Long.toString(instance.firstPid()));
            java.util.Set<Integer> ids = inside.stream().map(MountInfo::id).collect(java.util.stream.Collectors.toSet());
            for (MountInfo mount : inside) {
                nsfs |= mount.nsfs();
                boolean namespaceRoot = mount.mountPoint().equals("/") && !ids.contains(mount.parent()); // CRIU's own
                if (!namespaceRoot) {
                    mount.seenOnHostAt(host).ifPresent(paths::add);
                }
            }
        }
        return nested || nsfs || ownRoot(tree).isPresent() ? List.copyOf(paths) : List.of();
    }
}
