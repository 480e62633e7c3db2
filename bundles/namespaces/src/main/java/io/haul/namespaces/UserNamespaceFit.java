package io.haul.namespaces;

import io.haul.api.HaulException;
import io.haul.api.namespace.UserNamespaceLimits;
import io.haul.api.namespace.UserNamespaceLimits.IdRange;
import java.util.List;

/**
 * Whether a host can make a container's own user namespace again with its maps: it allows user namespaces, and every
 * line of an unprivileged map uses host ids it set aside for root's containers (elsewhere they may be real users').
 * One decision, taken by the source from the destination's handshake offer and by the destination from its own
 * limits (for a source that does not judge).
 */
final class UserNamespaceFit {

    private UserNamespaceFit() {
    }

    /**
     * @param host how the refusal names the host: "this host" on the destination, its agent's name on the source
     */
    static void check(String uidMap, String gidMap, UserNamespaceLimits limits, String host) throws HaulException {
        if (limits.maxUserNamespaces() < 1) {
            throw new HaulException("namespace.user-limit", host + " allows no user namespaces (user.max_user_namespaces"
                    + " = 0, or maxUserNamespaces = 0 in " + UserConfiguration.PID + "), and CRIU must make the"
                    + " container's there; allow them (sysctl user.max_user_namespaces=N) or move it to a host that"
                    + " does");
        }
        checkIds("uid", uidMap, limits.uids(), limits.uidsFrom(), host);
        checkIds("gid", gidMap, limits.gids(), limits.gidsFrom(), host);
    }

    private static void checkIds(String kind, String map, List<IdRange> aside, String file, String host)
            throws HaulException {
        for (IdMapping line : IdMapping.parse(map)) {
            IdRange used = new IdRange(line.outside(), line.count());
            if (!line.identity() && aside.stream().noneMatch(r -> r.holds(used))) {
                String ranges = aside.isEmpty() ? "none" : String.join(", ", aside.stream().map(r -> "root:" + r)
                        .toList());
                throw new HaulException("namespace.user-ids", "the container's " + kind + " map (" + line + ") maps to"
                        + " host " + kind + "s " + line.outside() + "-" + line.lastOutside() + ", which " + host
                        + " has not set aside for containers in " + file + " (root's ranges there: " + ranges + "), so"
                        + " they may be real users' there; add root:" + line.outside() + ":" + line.count() + " to "
                        + file + " on " + host + " (or move the container to a host that has)");
            }
        }
    }
}
