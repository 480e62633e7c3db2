package io.haul.criu.hold;

import io.haul.api.HaulException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Calls of a runtime (the Docker engine, runc) as the backends make them: failures become HaulExceptions with a code. */
public final class RuntimeCalls {

    /** One call of the runtime. */
    @FunctionalInterface
    public interface Call<T> {
        T run() throws Exception;
    }

    private RuntimeCalls() {
    }

    public static <T> T call(String code, Call<T> call) throws HaulException {
        try {
            return call.run();
        } catch (HaulException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HaulException(code, "interrupted");
        } catch (Exception e) {
            throw new HaulException(code, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** A call that blocks while CRIU is held (checkpoint, start from a checkpoint), run beside the caller. */
    public static CompletableFuture<Void> inBackground(Executor executor, Call<?> call) {
        return CompletableFuture.runAsync(() -> {
            try {
                call.run();
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, executor);
    }

    /** Waits for a background call; its failure becomes a HaulException with the engine's own words. */
    public static void await(CompletableFuture<Void> call, long seconds, String code, String what) throws HaulException {
        try {
            call.get(seconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
            throw new HaulException(code, what + ": " + (cause.getMessage() == null ? cause : cause.getMessage()));
        } catch (TimeoutException e) {
            throw new HaulException(code, what + ": the runtime did not answer in " + seconds + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HaulException(code, what + ": interrupted");
        }
    }
}
