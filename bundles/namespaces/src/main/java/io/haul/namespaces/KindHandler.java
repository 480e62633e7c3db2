package io.haul.namespaces;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.api.criu.CriuOptions;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceInstance;
import io.haul.api.namespace.NamespaceInstance.Place;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespacePlan;
import io.haul.api.namespace.NamespaceTree;
import io.haul.api.namespace.NamespaceVerdict;
import io.haul.api.namespace.NamespaceVerdict.Action;
import io.haul.host.proc.Namespaces;
import io.haul.host.proc.TaskStat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A namespace kind CRIU dumps with the tree and recreates on restore: the container's own instance moves with
 * it, one shared with the host stays the host's. What CRIU cannot carry is refused here, in the checks, naming
 * the task, the kind and the inode: a nested instance of a kind CRIU does not dump nested ("Can't dump nested
 * uts namespace" would otherwise come from CRIU's dump, with the tree frozen), and a nested instance of a kind it
 * does (mnt, net) below a root that shares the host's: CRIU's dump then passes, but its restore stops at "Can't
 * restore sub-task in NS" (criu/pstree.c: a task's nested namespaces must be of kinds the root has of its own).
 * Subclasses add what their kind needs beyond that.
 */
abstract class KindHandler implements NamespaceHandler {

    private final NamespaceKind kind;
    private final Namespaces namespaces;

    KindHandler(NamespaceKind kind, Namespaces namespaces) {
        this.kind = kind;
        this.namespaces = namespaces;
    }

    @Override
    public NamespaceKind kind() {
        return kind;
    }

    @Override
    public Usability usability() {
        return namespaces.kinds().contains(kind) ? Usability.yes()
                : Usability.no("this kernel has no " + kind.procName() + " namespaces");
    }

    @Override
    public NamespacePlan plan(NamespaceTree tree) throws HaulException {
        for (NamespaceInstance instance : tree.of(kind)) {
            Optional<HaulException> refused = refusal(instance, tree);
            if (refused.isPresent()) {
                throw refused.get();
            }
        }
        boolean own = tree.of(kind).stream().anyMatch(i -> i.place() != Place.HOST);
        return new NamespacePlan(kind, own, facts(tree), dump(tree));
    }

    /** Each instance judged as {@link #plan} judges it, with how the instances that move do. */
    @Override
    public List<NamespaceVerdict> verdicts(NamespaceTree tree) {
        String planRefused = "";
        NamespacePlan plan = null;
        try {
            plan = plan(tree);
        } catch (HaulException e) {
            planRefused = e.getMessage();
        }
        List<NamespaceVerdict> verdicts = new ArrayList<>();
        for (NamespaceInstance instance : tree.of(kind)) {
            Optional<HaulException> refused = refusal(instance, tree);
            if (refused.isPresent()) {
                verdicts.add(new NamespaceVerdict(instance, Action.REFUSED, refused.get().getMessage()));
            } else if (instance.place() == Place.HOST) {
                verdicts.add(new NamespaceVerdict(instance, Action.STAYS_THE_HOSTS, hostDetail(instance)));
            } else if (plan == null) {
                // refused for what the kind holds as a whole (an interface, a socket): the container's own instance
                verdicts.add(new NamespaceVerdict(instance, instance.place() == Place.CONTAINER ? Action.REFUSED
                        : Action.MOVED_BY_CRIU, instance.place() == Place.CONTAINER ? planRefused : ""));
            } else {
                String help = help(instance, plan);
                verdicts.add(new NamespaceVerdict(instance, help.isEmpty() ? Action.MOVED_BY_CRIU
                        : Action.MOVED_WITH_HAUL, help));
            }
        }
        if (plan == null && verdicts.stream().noneMatch(NamespaceVerdict::refused) && !verdicts.isEmpty()) {
            // only the host's instance, and what the tree holds of it cannot move (a socket on the host's address)
            NamespaceVerdict first = verdicts.getFirst();
            verdicts.set(0, new NamespaceVerdict(first.instance(), Action.REFUSED, planRefused));
        }
        return verdicts;
    }

    @Override
    public CriuOptions prepare(NamespacePlan plan, Path migrationDir) throws HaulException {
        Usability usability = usability();
        if (!usability.usable()) {
            throw new HaulException("namespace.unsupported", usability.reason());
        }
        return CriuOptions.NONE;
    }

    /** Whether CRIU dumps and restores namespaces of this kind that a task of the container made below its own. */
    abstract boolean criuMovesNested();

    /** What the destination must know about this kind beyond the plan's {@code own}. */
    Map<String, String> facts(NamespaceTree tree) throws HaulException {
        return Map.of();
    }

    /** What CRIU's dump must be told for this kind. */
    CriuOptions dump(NamespaceTree tree) {
        return CriuOptions.NONE;
    }

    /** For {@code haul:namespaces}: what Haul does beyond CRIU for an instance that moves ("" for nothing). */
    String help(NamespaceInstance instance, NamespacePlan plan) {
        return "";
    }

    /** For {@code haul:namespaces}: what the host's instance means for the tree. */
    String hostDetail(NamespaceInstance instance) {
        return "";
    }

    /** What a user can do about a refused nesting, appended to the refusal ("" when there is nothing to say). */
    String wayOut() {
        return "";
    }

    /** "UTS", "PID"...: the kind as people write it. */
    String label() {
        return kind.procName().toUpperCase(java.util.Locale.ROOT);
    }

    /** Why this one instance cannot move, by the rules of its kind; empty when it can. */
    Optional<HaulException> refusal(NamespaceInstance instance, NamespaceTree tree) {
        if (instance.place() != Place.NESTED) {
            return Optional.empty();
        }
        if (!criuMovesNested()) {
            return Optional.of(refusal(instance, "CRIU cannot dump nested " + label() + " namespaces" + wayOut()));
        }
        if (tree.of(kind).stream().noneMatch(i -> i.place() == Place.CONTAINER)) {
            return Optional.of(refusal(instance, "CRIU restores a nested " + label() + " namespace only below one the"
                    + " tree's root has of its own, and this tree's root shares the host's (CRIU would dump it, then"
                    + " fail to restore it: \"Can't restore sub-task in NS\"); start the tree's root in a " + label()
                    + " namespace of its own (unshare " + unshareFlag() + "), and the nested one moves with it"));
        }
        return Optional.empty();
    }

    /** The unshare(1) option that makes a namespace of this kind. */
    String unshareFlag() {
        return switch (kind) {
            case MNT -> "-m";
            case UTS -> "-u";
            case IPC -> "-i";
            case PID -> "-p -f";
            case NET -> "-n";
            case USER -> "-U";
            case CGROUP -> "-C";
            case TIME -> "-T";
        };
    }

    /**
     * A refusal that names the task, the kind and the inode: "nested UTS namespace of pid 412 (systemd-hostnam),
     * uts:[4026532301]: CRIU cannot dump nested UTS namespaces".
     */
    static HaulException refusal(NamespaceInstance instance, String why) {
        return new HaulException("check.namespace", (instance.place() == Place.NESTED ? "nested " : "")
                + instance.kind().procName().toUpperCase(java.util.Locale.ROOT) + " namespace of "
                + TaskStat.describe(instance.firstPid()) + ", " + instance.kind().procName() + ":[" + instance.inode()
                + "]: " + why);
    }
}
