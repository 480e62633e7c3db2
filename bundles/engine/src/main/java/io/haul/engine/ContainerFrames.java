package io.haul.engine;

import io.haul.api.HaulException;
import io.haul.host.net.FrameWatch;
import io.haul.host.net.IpLinks;
import io.haul.host.net.NetLink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The container's own TCP and UDP frames as this agent sees them pass (a {@link FrameWatch} on the hardware
 * addresses of its network namespace), for the migration's network figure: the source watches up to the freeze for
 * the last one, the destination from the resume for the first one. Whatever the backend: only the container's
 * namespace is read. A container in its host's namespace has no frames of its own to tell apart, and is not watched.
 */
final class ContainerFrames {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerFrames.class);

    private ContainerFrames() {
    }

    /** Starts watching the frames of the network namespace of {@code pid}, when it is not this agent's own. */
    static Optional<FrameWatch> watch(long pid, String migrationId) {
        try {
            if (Files.isSameFile(Path.of("/proc/" + pid + "/ns/net"), Path.of("/proc/self/ns/net"))) {
                return Optional.empty();
            }
            List<String> macs = IpLinks.ofProcess(pid).stream().filter(link -> !link.loopback())
                    .map(NetLink::mac).filter(mac -> !mac.isEmpty() && !mac.equals("00:00:00:00:00:00")).toList();
            if (macs.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(FrameWatch.start(macs, "haul-frames-" + migrationId.substring(0,
                    Math.min(8, migrationId.length()))));
        } catch (HaulException | IOException | RuntimeException e) {
            LOG.info("migration {}: the container's frames are not watched, its network figure is not measured: {}",
                    migrationId, e.getMessage());
            return Optional.empty();
        }
    }
}
