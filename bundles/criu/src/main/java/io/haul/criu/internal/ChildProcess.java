package io.haul.criu.internal;

import io.haul.host.linux.ErrnoException;
import io.haul.host.linux.Processes;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child process of the JVM that the JDK does not know about ({@code criu swrk}, or a tree CRIU restored as its
 * sibling): a daemon thread reaps it, so it never lingers as a zombie, and signals go to it only until it is
 * reaped, so they can never reach another process that got its pid later.
 */
final class ChildProcess {

    private static final Logger LOG = LoggerFactory.getLogger(ChildProcess.class);

    private final long pid;
    private final String name;
    private final CountDownLatch reaped = new CountDownLatch(1);
    private final Object lock = new Object();
    private boolean gone;
    private boolean notOurs;
    private String exit = "still running";

    private ChildProcess(long pid, String name) {
        this.pid = pid;
        this.name = name;
    }

    /** Starts watching child {@code pid}; {@code name} is for logs and thread names. */
    static ChildProcess watch(long pid, String name) {
        ChildProcess child = new ChildProcess(pid, name);
        Thread.ofPlatform().daemon().name("haul-reaper-" + name + "-" + pid).start(child::reap);
        return child;
    }

    long pid() {
        return pid;
    }

    /**
     * Sends a signal unless the child has already been reaped; returns whether it was sent. A process that
     * turned out not to be our child is signalled as any pid is (nothing better is possible without a pidfd).
     */
    boolean signal(int signal) {
        synchronized (lock) {
            if (gone && !notOurs) {
                return false;
            }
            try {
                return Processes.kill(pid, signal);
            } catch (ErrnoException e) {
                LOG.warn("cannot signal {} {}: {}", name, pid, e.getMessage());
                return false;
            }
        }
    }

    /** Waits for the child to exit and be reaped; false when the timeout passed first. */
    boolean awaitExit(Duration timeout) {
        try {
            return reaped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return reaped.getCount() == 0;
        }
    }

    /** Reaped, or found not to be our child (then nothing tells when it ends but /proc). */
    boolean hasExited() {
        return reaped.getCount() == 0;
    }

    /** "exit status 0", "killed by signal 9", or "still running". */
    String exitDescription() {
        synchronized (lock) {
            return exit;
        }
    }

    private void reap() {
        try {
            // wait without reaping first: signal() holds the lock, so it either runs before the reap below or
            // sees gone = true, never a pid the kernel handed to somebody else
            Processes.awaitExitWithoutReaping(pid);
            synchronized (lock) {
                exit = Processes.describeWaitStatus(Processes.waitpid(pid, Processes.WNOHANG));
                gone = true;
            }
            LOG.debug("{} {} ended: {}", name, pid, exit);
        } catch (ErrnoException e) {
            // ECHILD: not (or no longer) our child; nothing left to reap
            synchronized (lock) {
                exit = "not a child of this process (" + e.getMessage() + ")";
                gone = true;
                notOurs = true;
            }
            LOG.debug("{} {}: {}", name, pid, e.getMessage());
        } finally {
            reaped.countDown();
        }
    }
}
