package io.haul.api.criu;

import io.haul.api.namespace.NamespaceKind;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What CRIU must be told to dump or to restore a container, beyond the images: a backend's session and each
 * namespace handler contribute some, the engine merges them ({@link #merge}), and the CRIU driver, or the
 * runtime that runs CRIU for a backend, applies them. A runtime that cannot apply a contribution refuses the
 * migration before anything freezes, never drops it silently.
 *
 * @param externals       CRIU {@code --external} entries: resources the tree uses but does not own (a mount the
 *                        runtime provides, {@code net[INODE]:NAME} for a namespace that stays) and, on restore,
 *                        {@code veth[INSIDE]:OUTSIDE@BRIDGE} for a veth CRIU makes
 * @param joinNamespaces  on restore, existing namespaces the restored tree joins, by kind: a file such as
 *                        {@code /run/netns/x} or {@code /proc/PID/ns/net}
 * @param root            on restore by the engine's CRIU, the root file system to restore into ("" for none given);
 *                        a runtime restores into the root it manages, and is never given one
 * @param flags           CRIU's switches
 */
public record CriuOptions(List<String> externals, Map<NamespaceKind, String> joinNamespaces, String root,
        Set<Flag> flags) {

    /** Nothing to add. */
    public static final CriuOptions NONE = new CriuOptions(List.of(), Map.of(), "", Set.of());

    /** CRIU's switches that a contribution may turn on (none may turn one off that another turned on). */
    public enum Flag {
        /** Dump and restore established TCP connections (TCP repair). */
        TCP_ESTABLISHED,
        /** Dump and restore file locks. */
        FILE_LOCKS,
        /** The tree is a shell job: its session or process group leader is outside it. */
        SHELL_JOB,
        /** Unix sockets connected to peers outside the tree. */
        EXTERNAL_UNIX_SOCKETS,
        /**
         * Restore: every page in before the tree runs, never lazily (a task restored into a user namespace of its own
         * may not open userfaultfd, so CRIU's lazy pages would fail: "uffd: Unable to open an userfaultfd descriptor").
         */
        EAGER_MEMORY
    }

    public CriuOptions {
        externals = List.copyOf(externals);
        joinNamespaces = Map.copyOf(joinNamespaces);
        root = root == null ? "" : root;
        flags = flags.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(flags));
    }

    public static CriuOptions of(Flag... flags) {
        return new CriuOptions(List.of(), Map.of(), "", Set.of(flags));
    }

    public CriuOptions withExternal(String external) {
        return merge(new CriuOptions(List.of(external), Map.of(), "", Set.of()));
    }

    public CriuOptions withJoinNamespace(NamespaceKind kind, String file) {
        return merge(new CriuOptions(List.of(), Map.of(kind, file), "", Set.of()));
    }

    /** The same without a root: what a runtime that restores into its own root is given. */
    public CriuOptions withoutRoot() {
        return new CriuOptions(externals, joinNamespaces, "", flags);
    }

    public CriuOptions withRoot(String newRoot) {
        return merge(new CriuOptions(List.of(), Map.of(), newRoot, Set.of()));
    }

    public CriuOptions with(Flag flag) {
        return merge(of(flag));
    }

    public boolean has(Flag flag) {
        return flags.contains(flag);
    }

    /**
     * This contribution over {@code defaults}: merged as by {@link #merge}, except that where both give a root,
     * this one's counts (a namespace handler offers the host's root for a tree with its own mount namespace; a
     * backend that restores into a root file system of its own says which).
     */
    public CriuOptions over(CriuOptions defaults) {
        return merge(root.isEmpty() ? defaults
                : new CriuOptions(defaults.externals, defaults.joinNamespaces, "", defaults.flags));
    }

    /**
     * Both contributions together. Two that disagree (two roots, two files for the same namespace kind) cannot
     * both be applied: that is an {@link IllegalArgumentException} naming them.
     */
    public CriuOptions merge(CriuOptions other) {
        Set<String> allExternals = new LinkedHashSet<>(externals);
        allExternals.addAll(other.externals);
        Map<NamespaceKind, String> joins = new EnumMap<>(NamespaceKind.class);
        joins.putAll(joinNamespaces);
        other.joinNamespaces.forEach((kind, file) -> {
            String before = joins.putIfAbsent(kind, file);
            if (before != null && !before.equals(file)) {
                throw new IllegalArgumentException("two contributions join different " + kind.procName()
                        + " namespaces: " + before + " and " + file);
            }
        });
        if (!root.isEmpty() && !other.root.isEmpty() && !root.equals(other.root)) {
            throw new IllegalArgumentException("two contributions restore into different roots: " + root + " and "
                    + other.root);
        }
        Set<Flag> allFlags = EnumSet.noneOf(Flag.class);
        allFlags.addAll(flags);
        allFlags.addAll(other.flags);
        return new CriuOptions(List.copyOf(allExternals), joins, root.isEmpty() ? other.root : root, allFlags);
    }
}
