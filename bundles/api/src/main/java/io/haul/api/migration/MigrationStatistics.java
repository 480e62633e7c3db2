package io.haul.api.migration;

import io.haul.api.strategy.RoundStats;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The figures of a migration.
 *
 * @param phaseDurations how long each phase took
 * @param frozen         from the freeze on the source to the tree running on the destination
 * @param bytesOnWire    everything sent between the agents
 * @param imageBytes     the size of CRIU's images of the final dump
 * @param rounds         the pre-copy rounds
 * @param newRootPid     the root pid on the destination, 0 until restored
 * @param networkSilence from the container's last TCP or UDP frame the source saw before the freeze to its first
 *                       the destination saw after the copy ran, each by its own host's clock; zero when not measured
 *                       (no network namespace of its own, no frame on either side, an older peer)
 */
public record MigrationStatistics(Map<Phase, Duration> phaseDurations, Duration frozen, long bytesOnWire,
        long imageBytes, List<RoundStats> rounds, long newRootPid, Duration networkSilence) {

    public static final MigrationStatistics NONE = new MigrationStatistics(Map.of(), Duration.ZERO, 0, 0, List.of(), 0,
            Duration.ZERO);

    public MigrationStatistics {
        phaseDurations = Map.copyOf(phaseDurations);
        rounds = List.copyOf(rounds);
        networkSilence = networkSilence == null ? Duration.ZERO : networkSilence; // a record an older agent wrote
    }

    /** The figures without a network measurement, as before it existed. */
    public MigrationStatistics(Map<Phase, Duration> phaseDurations, Duration frozen, long bytesOnWire,
            long imageBytes, List<RoundStats> rounds, long newRootPid) {
        this(phaseDurations, frozen, bytesOnWire, imageBytes, rounds, newRootPid, Duration.ZERO);
    }

    public MigrationStatistics withNetworkSilence(Duration silence) {
        return new MigrationStatistics(phaseDurations, frozen, bytesOnWire, imageBytes, rounds, newRootPid, silence);
    }

    public MigrationStatistics withPhaseDurations(Map<Phase, Duration> durations) {
        return new MigrationStatistics(durations, frozen, bytesOnWire, imageBytes, rounds, newRootPid, networkSilence);
    }

    public MigrationStatistics withFrozen(Duration frozenFor) {
        return new MigrationStatistics(phaseDurations, frozenFor, bytesOnWire, imageBytes, rounds, newRootPid,
                networkSilence);
    }

    /** These figures with {@code bytes} more sent between the agents. */
    public MigrationStatistics plusBytesOnWire(long bytes) {
        return new MigrationStatistics(phaseDurations, frozen, bytesOnWire + bytes, imageBytes, rounds, newRootPid,
                networkSilence);
    }

    public MigrationStatistics withImageBytes(long bytes) {
        return new MigrationStatistics(phaseDurations, frozen, bytesOnWire, bytes, rounds, newRootPid, networkSilence);
    }

    /** These figures with one more pre-copy round, whose bytes count as sent. */
    public MigrationStatistics plusRound(RoundStats round) {
        List<RoundStats> all = new java.util.ArrayList<>(rounds);
        all.add(round);
        return new MigrationStatistics(phaseDurations, frozen, bytesOnWire + round.bytesSent(), imageBytes, all,
                newRootPid, networkSilence);
    }

    public MigrationStatistics withNewRootPid(long pid) {
        return new MigrationStatistics(phaseDurations, frozen, bytesOnWire, imageBytes, rounds, pid, networkSilence);
    }
}
