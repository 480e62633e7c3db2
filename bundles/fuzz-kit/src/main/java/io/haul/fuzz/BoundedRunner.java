package io.haul.fuzz;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs one decoder on inputs, on a worker thread of its own, and judges each input ({@link Verdict}): the bytes
 * the worker allocated during the decode alone (the thread's allocation counter before and after; the setup
 * does not count), the decode's time against the time limit, and the throwable that ended it. A decode that
 * overruns the limit is a hang; one that is still running at twice the limit is abandoned with its worker (a
 * daemon thread: a decoder stuck in a loop cannot be stopped, only left), and the run ends there.
 *
 * <p>Two things keep one-time costs (loading classes, linking a native call) from passing for what an input
 * makes the decoder allocate: the runner first decodes a few hundred inputs unmeasured, and an input over its
 * bound, or over the most any input of the run allocated so far, is decoded again and counted by the second
 * time (decoders are deterministic: a real excess comes back, a first-time initializer does not).
 */
public final class BoundedRunner implements AutoCloseable {

    /** Inputs decoded unmeasured before the first measured one: loads the classes the decoder's paths use. */
    static final int WARM_UP_INPUTS = 300;
    /** The warm-up's inputs are the same every run: a run repeated from its seed decodes what it decoded. */
    private static final long WARM_UP_SEED = 1;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final long WATCH_SLICE_MILLIS = 20;

    private final FuzzTarget target;
    private final long limitNanos;
    private final int warmUpInputs;
    private ExecutorService worker;
    private boolean warm;

    // what the worker decodes now, for the watchdog: when the decode began (0 between decodes), and its input
    private volatile long decodeStarted;
    private volatile byte[] decoding;
    /** The most one input made the decoder allocate so far (worker thread only). */
    private long mostAllocated;

    public BoundedRunner(FuzzTarget target, Duration timeLimit) {
        this(target, timeLimit, WARM_UP_INPUTS);
    }

    BoundedRunner(FuzzTarget target, Duration timeLimit, int warmUpInputs) {
        this.target = target;
        this.limitNanos = timeLimit.toNanos();
        this.warmUpInputs = warmUpInputs;
        this.worker = newWorker();
        if (!THREADS.isThreadAllocatedMemorySupported() || !THREADS.isThreadAllocatedMemoryEnabled()) {
            throw new IllegalStateException("this JVM does not count the memory each thread allocates");
        }
    }

    /** The verdict on one input. */
    public Verdict run(byte[] input) {
        List<Verdict> verdicts = new ArrayList<>(1);
        run(List.of(input).iterator(), 1, verdicts::add);
        return verdicts.getFirst();
    }

    /**
     * Decodes {@code count} inputs from {@code inputs} (taken on the worker thread, so a generator of them stays
     * on one thread) and hands each verdict to {@code verdicts}. False when a decode never returned: the run
     * stopped at it, whose verdict was the last one handed over.
     */
    public boolean run(Iterator<byte[]> inputs, long count, Consumer<Verdict> verdicts) {
        AtomicBoolean abandoned = new AtomicBoolean();
        Future<?> work = worker.submit(() -> {
            warmUp();
            for (long i = 0; i < count && !abandoned.get(); i++) {
                Verdict verdict = judge(inputs.next());
                synchronized (abandoned) {
                    if (!abandoned.get()) {
                        verdicts.accept(verdict);
                    }
                }
            }
            return null;
        });
        while (true) {
            try {
                work.get(WATCH_SLICE_MILLIS, TimeUnit.MILLISECONDS);
                return true;
            } catch (TimeoutException e) {
                long started = decodeStarted;
                if (started != 0 && System.nanoTime() - started > 2 * limitNanos) {
                    byte[] stuck = decoding;
                    synchronized (abandoned) {
                        abandoned.set(true);
                        verdicts.accept(new Verdict(Outcome.HUNG, 0, target.allocation().limitFor(stuck.length),
                                System.nanoTime() - started, null, stuck));
                    }
                    work.cancel(true);
                    worker.shutdownNow();
                    worker = newWorker();
                    return false;
                }
            } catch (ExecutionException e) {
                throw new IllegalStateException("fuzzing " + target.name() + " failed outside the decoder", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                work.cancel(true);
                throw new IllegalStateException("interrupted while fuzzing " + target.name(), e);
            }
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }

    private void warmUp() throws Exception {
        if (warm) {
            return;
        }
        warm = true;
        if (warmUpInputs == 0) {
            return;
        }
        Iterator<byte[]> inputs = target.inputs().stream(new Random(WARM_UP_SEED)).iterator();
        for (int i = 0; i < warmUpInputs; i++) {
            measure(inputs.next());
        }
    }

    private Verdict judge(byte[] input) throws Exception {
        Verdict verdict = measure(input);
        if (verdict.overAllocated() || verdict.allocatedBytes() > mostAllocated) {
            verdict = measure(input);
            mostAllocated = Math.max(mostAllocated, verdict.allocatedBytes());
        }
        return verdict;
    }

    private Verdict measure(byte[] input) throws Exception {
        Throwable thrown = null;
        long allocated;
        long nanos;
        try (Decoding decode = target.setup().prepare()) {
            decoding = input;
            long before = THREADS.getCurrentThreadAllocatedBytes();
            long started = System.nanoTime();
            decodeStarted = started;
            try {
                decode.decode(input);
            } catch (Throwable e) { // an Error too: an OutOfMemoryError is a crash like any other
                thrown = e;
            }
            nanos = System.nanoTime() - started;
            allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            decodeStarted = 0;
        }
        Outcome outcome;
        if (nanos > limitNanos) {
            outcome = Outcome.HUNG;
        } else if (thrown == null) {
            outcome = Outcome.DECODED;
        } else {
            outcome = target.refusals().admits(thrown) ? Outcome.REFUSED : Outcome.CRASHED;
        }
        return new Verdict(outcome, allocated, target.allocation().limitFor(input.length), nanos, thrown, input);
    }

    private ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "haul-fuzz-" + target.name());
            thread.setDaemon(true);
            return thread;
        });
    }
}
