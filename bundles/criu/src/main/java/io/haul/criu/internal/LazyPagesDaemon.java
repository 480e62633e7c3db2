package io.haul.criu.internal;

import io.haul.api.HaulException;
import io.haul.host.files.Folders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CRIU's lazy-pages daemon for one restore ({@code criu lazy-pages}): a restore with {@code lazy_pages} leaves the
 * tasks' private memory empty and registered with userfaultfd, and this daemon fills it from the page images, on
 * each fault and in the background, then exits. It reads its own hard links of the images, so the migration may
 * drop its image folder as soon as the tasks run; the links go when the daemon ends.
 */
final class LazyPagesDaemon {

    private static final Logger LOG = LoggerFactory.getLogger(LazyPagesDaemon.class);
    /** The unix socket the daemon listens on in the work folder; the restore connects to it there. */
    private static final String SOCKET = "lazy-pages.socket";
    private static final Duration START = Duration.ofSeconds(10);
    private static final Duration STOP = Duration.ofSeconds(5);
    private static final AtomicBoolean OOM_REFUSAL_TOLD = new AtomicBoolean();

    private final Process process;
    private final Path images;
    private final Path log;
    /** Completed when the daemon ends before it filled the memory in (killed, failed), not when we stop it. */
    private final CompletableFuture<String> failed = new CompletableFuture<>();
    private volatile boolean stopping;

    private LazyPagesDaemon(Process process, Path images, Path log) {
        this.process = process;
        this.images = images;
        this.log = log;
    }

    /** Starts the daemon for the images in {@code imageDir}, listening in {@code workDir}, and waits for its socket. */
    static LazyPagesDaemon start(Path criu, Path imageDir, Path workDir) throws HaulException {
        Path own = imageDir.toAbsolutePath().resolveSibling(imageDir.getFileName() + "-lazy");
        Path log = workDir.resolve("lazy-pages.log");
        try {
            Folders.delete(own);
            Files.createDirectories(own);
            try (Stream<Path> files = Files.list(imageDir)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Files.createLink(own.resolve(file.getFileName()), file); // same folder's parent: same file system
                }
            }
            Files.deleteIfExists(workDir.resolve(SOCKET));
        } catch (IOException e) {
            Folders.delete(own);
            throw new HaulException("criu.restore-failed", "cannot prepare the images for CRIU's lazy-pages daemon in "
                    + own + ": " + e.getMessage());
        }
        Process process;
        try {
            process = new ProcessBuilder(List.of(criu.toString(), "lazy-pages", "--images-dir", own.toString(),
                    "--work-dir", workDir.toString(), "--log-file", log.getFileName().toString(), "-v2"))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            Folders.delete(own);
            throw new HaulException("criu.unavailable", "cannot start CRIU's lazy-pages daemon: " + e.getMessage());
        }
        LazyPagesDaemon daemon = new LazyPagesDaemon(process, own, log);
        process.onExit().thenRun(daemon::ended);
        spareFromTheOomKiller(process.pid());
        // no event says the socket is up: it is the first thing the daemon does, so this waits milliseconds
        long deadline = System.nanoTime() + START.toNanos();
        while (!Files.exists(workDir.resolve(SOCKET))) {
            if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                daemon.stop();
                throw new HaulException("criu.restore-failed", "CRIU's lazy-pages daemon did not start"
                        + (process.isAlive() ? " within " + START.toSeconds() + " s" : "") + " (log: " + log + ")",
                        log.toString(), null);
            }
            pause();
        }
        return daemon;
    }

    long pid() {
        return process.pid();
    }

    /** Completes, saying how, if the daemon ends before it has filled the restored memory in. */
    CompletionStage<String> failed() {
        return failed;
    }

    /**
     * The restored tasks fault their memory in from this daemon until it is all in: the kernel's OOM killer, the one
     * thing on a healthy host likely to kill it, must pick another process (a tree that lost its daemon is lost).
     */
    private static void spareFromTheOomKiller(long pid) {
        try {
            Files.writeString(Path.of("/proc", Long.toString(pid), "oom_score_adj"), "-1000");
        } catch (IOException e) {
            // lowering it takes CAP_SYS_RESOURCE, which a sandboxed agent may lack: said once, not on every restore
            if (OOM_REFUSAL_TOLD.compareAndSet(false, true)) {
                LOG.warn("cannot spare CRIU's lazy-pages daemons from the OOM killer (pid {}: {}); does this agent "
                        + "lack CAP_SYS_RESOURCE?", pid, e.getMessage());
            }
        }
    }

    /** Ends the daemon (the tasks it served are gone, or the restore failed) and its image links. */
    void stop() {
        stopping = true;
        process.destroy();
        try {
            if (!process.waitFor(STOP.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private void ended() {
        if (!Folders.delete(images)) {
            LOG.warn("cannot remove the lazy-pages daemon's image links in {}", images);
        }
        if (process.exitValue() != 0) {
            LOG.warn("CRIU's lazy-pages daemon (pid {}) ended with status {}; its log: {}", process.pid(),
                    process.exitValue(), log);
            if (!stopping) {
                failed.complete("CRIU's lazy-pages daemon (pid " + process.pid() + ") ended with status "
                        + process.exitValue() + " before it had filled the copy's memory in (its log: " + log + ")");
            }
        } else {
            LOG.info("CRIU's lazy-pages daemon (pid {}) has filled the restored memory and ended", process.pid());
        }
    }

    private static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
