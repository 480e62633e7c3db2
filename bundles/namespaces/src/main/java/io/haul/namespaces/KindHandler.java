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
import io.haul.host.proc.Namespaces;
import io.haul.host.proc.TaskStat;
import java.nio.file.Path;
import java.util.Map;

/**
 * A namespace kind CRIU dumps with the tree and recreates on restore: the container's own instance moves with
 * it, one shared with the host stays the host's. What CRIU cannot carry is refused here, in the checks, naming
 * the task, the kind and the inode: a nested instance of a kind CRIU does not dump nested ("Can't dump nested
 * uts namespace" would otherwise come from CRIU's dump, with the tree frozen). Subclasses add what their kind
 * needs beyond that.
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
            if (instance.place() == Place.NESTED && !criuMovesNested()) {
                throw refusal(instance, "CRIU cannot dump nested " + label() + " namespaces" + wayOut());
            }
        }
        boolean own = tree.of(kind).stream().anyMatch(i -> i.place() != Place.HOST);
        return new NamespacePlan(kind, own, facts(tree), CriuOptions.NONE);
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

    /** What a user can do about a refused nesting, appended to the refusal ("" when there is nothing to say). */
    String wayOut() {
        return "";
    }

    /** "UTS", "PID"...: the kind as people write it. */
    String label() {
        return kind.procName().toUpperCase(java.util.Locale.ROOT);
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
