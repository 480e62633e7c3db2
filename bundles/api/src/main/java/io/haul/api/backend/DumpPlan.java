package io.haul.api.backend;

import java.util.List;
import java.util.Map;

/**
 * What the CRIU driver needs from a backend to dump a container on the source.
 *
 * @param rootPid         the host pid CRIU dumps from
 * @param externals       CRIU {@code --external} entries (mounts, namespaces the runtime provides)
 * @param tcpEstablished  dump established TCP connections
 * @param shellJob        the tree is a shell job (its session or group leader is outside it)
 * @param fileLocks       dump file locks
 * @param manifest        what the destination backend needs to restore it, carried in the handshake
 */
public record DumpPlan(long rootPid, List<String> externals, boolean tcpEstablished, boolean shellJob,
        boolean fileLocks, ContainerManifest manifest) {

    public DumpPlan {
        externals = List.copyOf(externals);
    }

    /** Facts about a container the destination's backend needs, as strings so they travel in the protocol. */
    public record ContainerManifest(String backend, String id, Map<String, String> facts) {

        public ContainerManifest {
            facts = Map.copyOf(facts);
        }
    }
}
