package io.haul.host.internal;

import io.haul.host.KernelFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Which namespace kinds this kernel has. The /proc/self/ns link exists exactly when the kernel was built with
 * that kind (CONFIG_*_NS), and a container using a kind the destination lacks cannot be restored there.
 */
final class NamespaceProbe {

    private static final Map<String, String> CONFIG = Map.of("uts", "CONFIG_UTS_NS", "ipc", "CONFIG_IPC_NS",
            "pid", "CONFIG_PID_NS", "net", "CONFIG_NET_NS", "user", "CONFIG_USER_NS", "cgroup", "CONFIG_CGROUPS",
            "time", "CONFIG_TIME_NS");

    private final Path nsDir;

    NamespaceProbe() {
        this(Path.of("/proc/self/ns"));
    }

    NamespaceProbe(Path nsDir) {
        this.nsDir = nsDir;
    }

    List<KernelFeature> probeAll() {
        return KernelFeature.NAMESPACE_KINDS.stream().map(this::probe).toList();
    }

    KernelFeature probe(String kind) {
        String name = KernelFeature.namespace(kind);
        Path link = nsDir.resolve(kind);
        try {
            return new KernelFeature(name, true, Files.readSymbolicLink(link).toString());
        } catch (NoSuchFileException e) {
            String config = CONFIG.get(kind);
            return new KernelFeature(name, false, link + " does not exist"
                    + (config == null ? "" : " (kernel without " + config + ")"));
        } catch (IOException | UnsupportedOperationException e) {
            return new KernelFeature(name, false, "readlink " + link + " failed: " + e);
        }
    }
}
