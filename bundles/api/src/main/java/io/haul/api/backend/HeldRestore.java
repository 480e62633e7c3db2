package io.haul.api.backend;

import io.haul.api.HaulException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/** A restored container whose tasks are all held stopped, waiting for the commit point. */
@ConsumerType
public interface HeldRestore {

    /** The host pid of the restored tree's root. */
    long rootPid();

    /** After the commit point: the restored tasks run. */
    void resume() throws HaulException;

    /** On rollback: the restored tasks go away, leaving nothing of them behind. Idempotent. */
    void kill();

    /**
     * The processes the held copy cannot do without until it runs (the CRIU that holds it mid-restore): should
     * one end before the verdict, the copy can no longer become the container, even if its tasks are still there.
     * Empty where the backend knows none.
     */
    default List<Long> holders() {
        return List.of();
    }

    /**
     * Completes, saying what was lost, if something the copy needs for its memory ends before it has done its work
     * (CRIU's lazy-pages daemon killed before it filled the copy's memory in); never completes where there is no
     * such thing. Before the verdict, the copy can then no longer become the container.
     */
    default CompletionStage<String> lost() {
        return new CompletableFuture<>();
    }
}
