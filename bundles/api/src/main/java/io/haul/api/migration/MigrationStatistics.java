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
 */
public record MigrationStatistics(Map<Phase, Duration> phaseDurations, Duration frozen, long bytesOnWire,
        long imageBytes, List<RoundStats> rounds, long newRootPid) {

    public static final MigrationStatistics NONE = new MigrationStatistics(Map.of(), Duration.ZERO, 0, 0, List.of(), 0);

    public MigrationStatistics {
        phaseDurations = Map.copyOf(phaseDurations);
        rounds = List.copyOf(rounds);
    }

    public MigrationStatistics withPhaseDurations(Map<Phase, Duration> durations) {
        return new MigrationStatistics(durations, frozen, bytesOnWire, imageBytes, rounds, newRootPid);
    }

    public MigrationStatistics withFrozen(Duration frozenFor) {
        return new MigrationStatistics(phaseDurations, frozenFor, bytesOnWire, imageBytes, rounds, newRootPid);
    }

    /** These figures with {@code bytes} more sent between the agents. */
    public MigrationStatistics plusBytesOnWire(long bytes) {
        return new MigrationStatistics(phaseDurations, frozen, bytesOnWire + bytes, imageBytes, rounds, newRootPid);
    }

    public MigrationStatistics withImageBytes(long bytes) {
        return new MigrationStatistics(phaseDurations, frozen, bytesOnWire, bytes, rounds, newRootPid);
    }

    /** These figures with one more pre-copy round, whose bytes count as sent. */
    public MigrationStatistics plusRound(RoundStats round) {
        List<RoundStats> all = new java.util.ArrayList<>(rounds);
        all.add(round);
        return new MigrationStatistics(phaseDurations, frozen, bytesOnWire + round.bytesSent(), imageBytes, all,
                newRootPid);
    }

    public MigrationStatistics withNewRootPid(long pid) {
        return new MigrationStatistics(phaseDurations, frozen, bytesOnWire, imageBytes, rounds, pid);
    }
}
