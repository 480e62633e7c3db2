package io.haul.docker.engine;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A race in Docker 20.10 with containerd 1.6, seen here: the engine passes every checkpoint through
 * containerd's content store and deletes it there once copied out, but containerd removes the content only
 * at its next garbage collection (some tens to hundreds of ms later). Until then, writing the same content
 * again fails with {@code content sha256:...: already exists}:
 * <ul>
 * <li>restoring a checkpoint just made ({@code 500 failed to upload checkpoint to containerd: commit failed:
 * content sha256:...: already exists}): it fails before anything is restored, so it can be tried again;
 * <li>checkpointing a container again soon after ({@code 500 Cannot checkpoint container web: content
 * sha256:...: already exists}, the container's config being the same blob each time): it fails after CRIU
 * dumped, so with Exit the container is stopped and the checkpoint lost; without Exit it runs on and the
 * checkpoint can be tried again.
 * </ul>
 * So restores and checkpoints without Exit are tried again for a while, and a container is not checkpointed
 * again by the same client within {@link #SPACING} of its previous checkpoint.
 */
final class CheckpointContentRace {

    /** Time between two checkpoints of one container, for containerd's garbage collection to run. */
    static final Duration SPACING = Duration.ofSeconds(2);
    /** How long a restore or a checkpoint without Exit is tried again. */
    static final Duration RETRIES_WITHIN = Duration.ofSeconds(15);
    static final Duration RETRY_PAUSE = Duration.ofMillis(250);

    private final ConcurrentHashMap<String, Long> lastCheckpoint = new ConcurrentHashMap<>();

    /** Whether the engine's error is this race. */
    static boolean isRace(int status, String engineMessage) {
        return status == 500 && engineMessage != null && engineMessage.contains("content sha256:")
                && engineMessage.strip().endsWith("already exists");
    }

    /** What to add to the engine's words when a checkpoint with Exit lost the race. */
    static String exitHint(String container) {
        return "containerd had not collected an earlier checkpoint of " + container
                + " yet; the dump stopped the container (Exit) and the checkpoint is lost";
    }

    /** How long to wait before checkpointing {@code container} again (zero when it may be now). */
    Duration waitBeforeCheckpoint(String container) {
        Long last = lastCheckpoint.get(container);
        if (last == null) {
            return Duration.ZERO;
        }
        long left = last + SPACING.toNanos() - System.nanoTime();
        return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
    }

    /** {@code container} was just checkpointed (or tried: its content is in containerd either way). */
    void checkpointed(String container) {
        long now = System.nanoTime();
        lastCheckpoint.entrySet().removeIf(e -> now - e.getValue() > SPACING.toNanos());
        lastCheckpoint.put(container, now);
    }
}
