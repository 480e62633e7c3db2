package io.haul.engine;

import io.haul.api.HaulException;
import io.haul.host.net.FrameDrop;
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
 * The container's own frames, told apart by the hardware addresses of its network namespace: watched for the
 * migration's network figure (a {@link FrameWatch}: the source up to the freeze for the last one, the destination
 * from the resume for the first one), and dropped on the destination's bridges while its restored copy waits for the
 * commit point ({@link FrameDrop}). Whatever the backend: only the container's namespace is read. A container in its
 * host's namespace has no frames of its own to tell apart: nothing is watched or dropped.
 */
final class ContainerFrames {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerFrames.class);

    private ContainerFrames() {
    }

    /**
     * The hardware addresses of the interfaces of the network namespace of {@code pid} but loopback's; none when it
     * is this agent's own (its frames are the host's) or cannot be read.
     */
    static List<String> macsOf(long pid, String migrationId) {
        try {
            if (Files.isSameFile(Path.of("/proc/" + pid + "/ns/net"), Path.of("/proc/self/ns/net"))) {
                return List.of();
            }
            return IpLinks.ofProcess(pid).stream().filter(link -> !link.loopback()).map(NetLink::mac)
                    .filter(mac -> !mac.isEmpty() && !mac.equals("00:00:00:00:00:00")).distinct().toList();
        } catch (HaulException | IOException | RuntimeException e) {
            LOG.info("migration {}: cannot read the hardware addresses of pid {}'s network namespace: {}", migrationId,
                    pid, e.getMessage());
            return List.of();
        }
    }

    /** Starts watching the frames of {@code macs}; empty when there are none or the watch cannot start. */
    static Optional<FrameWatch> watch(List<String> macs, String migrationId) {
        if (macs.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(FrameWatch.start(macs, "haul-frames-" + shortId(migrationId)));
        } catch (HaulException | RuntimeException e) {
            LOG.info("migration {}: the container's frames are not watched, its network figure is not measured: {}",
                    migrationId, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Destination side, before the restore: drops every frame from and to {@code macs} on this host's bridges, so
     * that the restored copy neither sends nor answers anything before the commit point (a runtime's restore has
     * no CRIU network lock of its own; for the engine's CRIU this doubles its lock). Lifted right after the commit
     * point; on any other outcome the migration's release removes it.
     */
    static Optional<FrameDrop> silence(List<String> macs, String migrationId) throws HaulException {
        if (macs.isEmpty()) {
            return Optional.empty();
        }
        FrameDrop drop = FrameDrop.install(shortId(migrationId).replace("-", ""), macs);
        LOG.info("migration {}: the frames of {} are dropped on this host's bridges until the commit point ({})",
                migrationId, String.join(", ", macs), drop.chain());
        return Optional.of(drop);
    }

    private static String shortId(String migrationId) {
        return migrationId.substring(0, Math.min(8, migrationId.length()));
    }
}
