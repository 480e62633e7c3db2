package io.haul.api.namespace;

import io.haul.api.HaulException;
import io.haul.api.Plugin;
import io.haul.api.criu.CriuOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Knows how to move one kind of namespace. The engine discovers every namespace instance of every task of a
 * container ({@link NamespaceTree}); for each kind of which the container uses an instance that is not the
 * host's, a usable handler must be registered on both agents, or the migration is refused before anything
 * freezes. Registered as a service with the property {@link #KIND} set to {@link NamespaceKind#procName()}
 * (write {@code @HaulNamespace("net")}).
 */
@ConsumerType
public interface NamespaceHandler extends Plugin {

    /** Service property: the namespace kind handled, as in {@code /proc/PID/ns/}. */
    String KIND = "haul.namespace";

    NamespaceKind kind();

    /**
     * Source side, before anything is frozen: every instance of this kind the container's tasks use (nested ones
     * included), and the whole tree for context. Refuses what cannot be moved with a {@link HaulException} whose
     * message names the task (pid and command), the kind and the inode, and why; otherwise says how it moves.
     */
    NamespacePlan plan(NamespaceTree tree) throws HaulException;

    /**
     * For people, without migrating: what this handler does with each instance of its kind in the tree, judged as
     * {@link #plan} judges it (it must refuse exactly what {@code plan} refuses). The default asks {@code plan}: when
     * it refuses, every instance that is not the host's is refused with its reason; otherwise they are moved by CRIU.
     */
    default List<NamespaceVerdict> verdicts(NamespaceTree tree) {
        String refusal = "";
        try {
            plan(tree);
        } catch (HaulException e) {
            refusal = e.getMessage();
        }
        List<NamespaceVerdict> verdicts = new ArrayList<>();
        for (NamespaceInstance instance : tree.of(kind())) {
            verdicts.add(instance.place() == NamespaceInstance.Place.HOST
                    ? new NamespaceVerdict(instance, NamespaceVerdict.Action.STAYS_THE_HOSTS, "")
                    : refusal.isEmpty() ? new NamespaceVerdict(instance, NamespaceVerdict.Action.MOVED_BY_CRIU, "")
                    : new NamespaceVerdict(instance, NamespaceVerdict.Action.REFUSED, refusal));
        }
        return verdicts;
    }

    /**
     * This host's limits for the kind beyond its kernel and CRIU, read now, for the handshake's capabilities (user
     * namespaces: how many, which host ids); empty when the kind has none.
     */
    default Optional<UserNamespaceLimits> limits() throws HaulException {
        return Optional.empty();
    }

    /**
     * Source side, after {@link #plan} and before the destination is asked: refuses, with the reason, a plan the
     * destination cannot rebuild by what it offered in the handshake ({@code destination} names it). The engine has
     * already refused a kind its kernel or CRIU lacks; this is for the handler's own limits.
     */
    default void checkOffer(NamespacePlan plan, NamespaceOffer offer, String destination) throws HaulException {
    }

    /**
     * Destination side, before the restore: makes ready what the restored tree will join, or says why it cannot,
     * and returns what CRIU's restore must be told. {@code migrationDir} is the migration's folder on this host.
     */
    CriuOptions prepare(NamespacePlan plan, Path migrationDir) throws HaulException;

    /**
     * Destination side, after the commit point, once the restored tree runs ({@code rootPid} on this host): tells
     * whoever must know where the container is now (a network's peers: a gratuitous ARP). Failures are the
     * handler's to log; the container runs here either way.
     */
    default void running(NamespacePlan plan, long rootPid) {
    }

    /** Destination side, when the migration ends either way: undoes what {@link #prepare} left that must not stay. */
    default void release(NamespacePlan plan, Path migrationDir) {
    }
}
