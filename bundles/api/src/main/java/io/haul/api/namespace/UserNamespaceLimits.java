package io.haul.api.namespace;

import java.util.List;

/**
 * What a host can give containers in user namespaces of their own: how many user namespaces it allows, and the host
 * ids it has set aside for root's containers (root's lines of {@code /etc/subuid} and {@code /etc/subgid}), which an
 * unprivileged map must use, since other host ids may be real users'. Sent in the handshake's capabilities, so the
 * source can refuse a tree the destination cannot rebuild before it asks for more.
 *
 * @param maxUserNamespaces how many user namespaces the host allows (0: none)
 * @param uids              the host uids set aside, range by range
 * @param gids              the host gids set aside
 * @param uidsFrom          where the uids were read (a file), for the refusal's words
 * @param gidsFrom          where the gids were read
 */
public record UserNamespaceLimits(long maxUserNamespaces, List<IdRange> uids, List<IdRange> gids, String uidsFrom,
        String gidsFrom) {

    /** Host ids {@code first} to {@code first + count - 1}. */
    public record IdRange(long first, long count) {

        public long last() {
            return first + count - 1;
        }

        /** Whether this range holds every id of {@code other}. */
        public boolean holds(IdRange other) {
            return first <= other.first() && other.last() <= last();
        }

        @Override
        public String toString() {
            return first + ":" + count;
        }
    }

    public UserNamespaceLimits {
        uids = List.copyOf(uids);
        gids = List.copyOf(gids);
        uidsFrom = uidsFrom == null ? "" : uidsFrom;
        gidsFrom = gidsFrom == null ? "" : gidsFrom;
    }
}
