package io.haul.criu.internal;

import io.haul.api.HaulException;
import io.haul.api.criu.CriuOptions;
import io.haul.api.namespace.NamespaceKind;
import io.haul.criu.RestoreRequest;
import io.haul.criu.RestoredTree;
import io.haul.criu.hold.CriuHold;
import io.haul.criu.rpc.CriuOpts;
import io.haul.criu.rpc.CriuReq;
import io.haul.criu.rpc.CriuReqType;
import io.haul.criu.rpc.CriuResp;
import io.haul.criu.rpc.JoinNamespace;
import io.haul.host.linux.ErrnoException;
import io.haul.host.linux.Processes;
import io.haul.host.proc.ProcessTree;
import io.haul.host.proc.TaskStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tree CRIU restored and left stopped ({@code leave_stopped}: every task gets SIGSTOP instead of running on),
 * waiting for the commit point. CRIU restores its root as its own sibling ({@code rst_sibling}), which makes
 * the root a child of this JVM: it outlives {@code criu swrk}, and we reap it. A held restore waits before that,
 * at post-restore ({@link PostRestoreHold}), its network still locked. {@link #resume()} lets a held CRIU finish
 * and sends SIGCONT to every task; {@link #kill()} makes a held CRIU undo its restore and SIGKILLs the tasks.
 */
final class StoppedTree implements RestoredTree {

    private static final Logger LOG = LoggerFactory.getLogger(StoppedTree.class);
    /** How long the tasks may take to show as stopped after CRIU's answer, and to vanish after SIGKILL. */
    private static final Duration SETTLE = Duration.ofSeconds(10);
    /** The longest a held restore waits for the verdict: a migration's commit takes seconds, not this. */
    private static final Duration HOLD_LIMIT = Duration.ofMinutes(15);
    private static final String POST_RESTORE = "post-restore";

    private final ChildProcess root;
    private final LazyPagesDaemon lazyPages;
    private final PostRestoreHold held;
    /** The source's connection locks this restore added (CRIU lifts them when it finishes; we, if it does not). */
    private final List<ConnectionLocks.Lock> locks;
    private boolean killed;

    private StoppedTree(ChildProcess root, LazyPagesDaemon lazyPages, PostRestoreHold held,
            List<ConnectionLocks.Lock> locks) {
        this.root = root;
        this.lazyPages = lazyPages;
        this.held = held;
        this.locks = locks;
    }

    /**
     * Restores a tree and returns it stopped: held by CRIU at post-restore when the request names a migration,
     * else left stopped by CRIU. On failure CRIU kills what it had restored; what it could not (the root is our
     * child, not CRIU's) is killed and reaped here, so nothing of it is left.
     */
    static StoppedTree start(Path criu, RestoreRequest request, Duration timeout) throws HaulException {
        String what = "CRIU restore from " + request.imageDir();
        CriuDirs dirs = CriuDirs.open(request.imageDir(), request.logFile(), false, "criu.restore-failed");
        LazyPagesDaemon lazyPages = null;
        RpcSession session = null;
        CriuHold hold = null;
        AtomicReference<ChildProcess> root = new AtomicReference<>();
        List<ConnectionLocks.Lock> locks = List.of();
        long started = System.nanoTime();
        try {
            // CRIU expects the dump's locks of connections on this host's network, and unlocks them at its end
            locks = ConnectionLocks.add(ConnectionLocks.readBeside(request.imageDir()));
            if (request.lazyPages()) {
                lazyPages = LazyPagesDaemon.start(criu, request.imageDir(), dirs.logFile().toAbsolutePath().getParent());
            }
            session = RpcSession.start(criu);
            CriuOpts.Builder options = options(dirs, request, lazyPages);
            if (request.held()) {
                hold = CriuHold.forRestore(request.holdFor(), request.imageDir(), HOLD_LIMIT);
                // CRIU runs the configuration's action script after answering each RPC notification
                options.setConfigFile(CriuHold.ENGINE_CRIU_CONFIG.toString());
            }
            RpcSession rpc = session;
            // once held, CRIU's answer waits for the verdict
            Duration afterPostRestore = request.held() ? timeout.plus(HOLD_LIMIT) : timeout;
            CompletableFuture<CriuResp> answer = new CompletableFuture<>();
            Thread.ofVirtual().name("haul-criu-restore").start(() -> {
                try {
                    answer.complete(exchange(rpc, options, timeout, afterPostRestore, pid -> root.updateAndGet(
                            known -> known != null ? known : ChildProcess.watch(pid, "restored-root")), what, dirs.logFile()));
                } catch (HaulException | RuntimeException e) {
                    answer.completeExceptionally(e);
                }
            });
            StoppedTree tree;
            if (hold != null) {
                CriuHold.Reached reached = reached(hold, answer);
                tree = new StoppedTree(watched(root, reached.initPid()), lazyPages,
                        new PostRestoreHold(hold, answer, session, dirs), locks);
            } else {
                CriuResp response = PostRestoreHold.await(answer, timeout);
                tree = new StoppedTree(watched(root, response.getRestore().getPid()), lazyPages, null, locks);
                session.close();
                dirs.close();
                ConnectionLocks.release(locks); // what CRIU's unlock left
                tree.awaitStopped(what, dirs.logFile());
            }
            LOG.info("{}: root pid {} restored in {} ms, {}{}", what, tree.rootPid(),
                    (System.nanoTime() - started) / 1_000_000, hold != null ? "held before it runs" : "left stopped",
                    lazyPages == null ? "" : ", its memory to come from the lazy-pages daemon (pid "
                            + lazyPages.pid() + ")");
            return tree;
        } catch (HaulException e) {
            // the root first: criu swrk may be waiting on it (a timeout), and it is ours to kill and reap
            if (root.get() != null) {
                new StoppedTree(root.get(), null, null, List.of()).kill();
            }
            ConnectionLocks.release(locks);
            if (session != null) {
                session.close();
            }
            if (hold != null) {
                hold.close();
            }
            if (lazyPages != null) {
                lazyPages.stop();
            }
            dirs.close();
            throw e.logFile() != null ? e : CriuFailure.around(e.code(), what, e, dirs.logFile());
        }
    }

    /** Waits for the hook at post-restore; a CRIU that failed before it says why in its answer. */
    private static CriuHold.Reached reached(CriuHold hold, CompletableFuture<CriuResp> answer) throws HaulException {
        try {
            return hold.awaitReached(answer);
        } catch (HaulException notReached) {
            if (answer.isCompletedExceptionally()) {
                PostRestoreHold.await(answer, SETTLE); // throws CRIU's own failure
            }
            throw notReached;
        }
    }

    /** The root CRIU named in a notification, or the one it names now. */
    private static ChildProcess watched(AtomicReference<ChildProcess> known, long pid) {
        return known.updateAndGet(root -> root != null && root.pid() == pid ? root : ChildProcess.watch(pid,
                "restored-root"));
    }

    /** The options every restore shares, and the request's. */
    private static CriuOpts.Builder options(CriuDirs dirs, RestoreRequest request, LazyPagesDaemon lazyPages) {
        CriuOptions plan = request.options();
        CriuOpts.Builder options = dirs.options()
                .setRstSibling(true)
                .setLeaveStopped(true)
                // for the root's pid as soon as it exists (setup-namespaces), so a failure can reap it
                .setNotifyScripts(true)
                // these only permit restoring what the images hold (the dump decided what to take); a tree
                // that was its own session stays so with shell_job (tested), one that was not needs it
                .setTcpEstablished(true)
                .setFileLocks(true)
                .setShellJob(true)
                .setExtUnixSk(plan.has(CriuOptions.Flag.EXTERNAL_UNIX_SOCKETS))
                .addAllExternal(plan.externals());
        if (lazyPages != null) {
            options.setLazyPages(true);
        }
        if (!plan.root().isEmpty()) {
            options.setRoot(plan.root());
        }
        for (Map.Entry<NamespaceKind, String> namespace : plan.joinNamespaces().entrySet()) {
            options.addJoinNs(JoinNamespace.newBuilder().setNs(namespace.getKey().procName())
                    .setNsFile(namespace.getValue()));
        }
        return options;
    }

    /**
     * Sends the RESTORE request and answers CRIU's notifications until its answer, which must be a success.
     * Each message is awaited up to {@code timeout}, from the post-restore notification on (after which a hold
     * may wait for the verdict) up to {@code afterPostRestore}.
     */
    private static CriuResp exchange(RpcSession session, CriuOpts.Builder options, Duration timeout,
            Duration afterPostRestore, LongConsumer rootPid, String what, Path log) throws HaulException {
        session.send(CriuReq.newBuilder().setType(CriuReqType.RESTORE).setOpts(options).build());
        Duration within = timeout;
        while (true) {
            CriuResp response = session.receive(within);
            if (response.getType() == CriuReqType.NOTIFY) {
                if (POST_RESTORE.equals(response.getNotify().getScript())) {
                    within = afterPostRestore;
                }
                if (response.getNotify().hasPid() && response.getNotify().getPid() > 0) {
                    rootPid.accept(response.getNotify().getPid());
                }
                LOG.debug("{}: {} notification (pid {}), answered", what, response.getNotify().getScript(),
                        response.getNotify().getPid());
                session.send(CriuReq.newBuilder().setType(CriuReqType.NOTIFY).setNotifySuccess(true).build());
                continue;
            }
            if (response.getType() != CriuReqType.RESTORE) {
                throw new HaulException("criu.protocol", "CRIU answered " + response.getType() + " to a RESTORE");
            }
            if (!response.getSuccess()) {
                throw CriuFailure.of("criu.restore-failed", what, response, log);
            }
            return response;
        }
    }

    /**
     * How long a restore from these images may take: a minute, plus half a minute per GiB of images (CRIU
     * restores about 1 GiB/s here). Bounded because CRIU 4.2.1 does not always fail on damaged images: with a
     * truncated pages image its restorer reads zero bytes forever, logging every read (gigabytes a minute).
     */
    static Duration timeoutFor(Path imageDir) {
        long bytes = 0;
        try (var images = Files.list(imageDir)) {
            for (Path image : images.toList()) {
                bytes += Files.isRegularFile(image) ? Files.size(image) : 0;
            }
        } catch (IOException e) {
            // unreadable: CRIU will say so; the base timeout applies
        }
        return Duration.ofSeconds(60 + 30 * (bytes >> 30));
    }

    @Override
    public long rootPid() {
        return root.pid();
    }

    /** While held, the CRIU in whose restore the tasks still are: killed, it leaves them stuck in its restorer. */
    @Override
    public List<Long> holders() {
        return held == null ? List.of() : List.of(held.criuPid());
    }

    /** The lazy-pages daemon, if the memory comes from one, killed before it filled it in. */
    @Override
    public CompletionStage<String> lost() {
        return lazyPages == null ? new CompletableFuture<>() : lazyPages.failed();
    }

    @Override
    public synchronized void resume() throws HaulException {
        if (killed) {
            throw new HaulException("criu.resume-failed", "the restored tree of pid " + root.pid() + " was killed");
        }
        if (held != null) {
            try {
                held.finish(SETTLE); // CRIU unlocks the network and leaves the tasks stopped
                ConnectionLocks.release(locks); // what CRIU's unlock left
                awaitStopped("CRIU's restore of pid " + root.pid(), held.logFile());
            } catch (HaulException e) {
                kill();
                throw e;
            }
        }
        if (!ProcessTree.exists(root.pid())) {
            throw new HaulException("criu.resume-failed", "the restored tree of pid " + root.pid()
                    + " is gone (" + root.exitDescription() + ")");
        }
        List<Long> tasks;
        try {
            tasks = ProcessTree.resume(root.pid());
        } catch (ErrnoException e) {
            throw new HaulException("criu.resume-failed", "cannot resume the restored tree of pid " + root.pid() + ": "
                    + e.getMessage(), e);
        }
        LOG.info("restored tree of pid {} resumed: {} processes", root.pid(), tasks.size());
    }

    @Override
    public synchronized void kill() {
        if (killed) {
            return;
        }
        killed = true;
        if (held != null) {
            held.undo(SETTLE); // CRIU kills what it restored; what is left is killed below
        }
        ConnectionLocks.release(locks);
        List<Long> tasks = ProcessTree.processes(root.pid());
        // killing a PID namespace's init kills every task in it; other trees are killed task by task
        boolean namespaceInit = ProcessTree.isNamespaceInit(root.pid());
        root.signal(Processes.SIGKILL);
        if (!namespaceInit) {
            for (long pid : tasks.subList(Math.min(1, tasks.size()), tasks.size())) {
                try {
                    Processes.kill(pid, Processes.SIGKILL);
                } catch (ErrnoException e) {
                    LOG.warn("cannot kill pid {} of the restored tree of {}: {}", pid, root.pid(), e.getMessage());
                }
            }
        }
        if (!root.awaitExit(SETTLE)) {
            LOG.warn("the restored root {} has not ended {} s after SIGKILL", root.pid(), SETTLE.toSeconds());
        }
        if (lazyPages != null) {
            lazyPages.stop(); // nothing left to fill
        }
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (tasks.stream().anyMatch(ProcessTree::exists) && System.nanoTime() - deadline < 0) {
            pause(10);
        }
        LOG.info("restored tree of pid {} killed ({} processes)", root.pid(), tasks.size());
    }

    /**
     * Checks that every task is stopped, as {@code leave_stopped} promises: a CRIU that does not know the
     * option would ignore it silently and let the copy run before the commit point. Kills the tree if not.
     */
    private void awaitStopped(String what, Path log) throws HaulException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        List<Long> running;
        do {
            running = ProcessTree.processes(root.pid()).stream().filter(pid -> !stopped(pid)).toList();
            if (running.isEmpty()) {
                return;
            }
            pause(5);
        } while (System.nanoTime() - deadline < 0);
        kill();
        throw new HaulException("criu.restore-failed", what + ": processes " + running
                + " were not left stopped (does this CRIU know leave_stopped?); the restored tree was killed",
                log.toString(), null);
    }

    /** State T (stopped by a signal); a task that is gone counts: nothing of it runs. */
    private static boolean stopped(long pid) {
        return TaskStat.read(pid).map(TaskStat::stopped).orElse(true);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
