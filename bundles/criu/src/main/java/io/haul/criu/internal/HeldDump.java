package io.haul.criu.internal;

import io.haul.api.HaulException;
import io.haul.api.criu.CriuOptions.Flag;
import io.haul.api.criu.CriuOptions;
import io.haul.criu.DumpRequest;
import io.haul.criu.FrozenDump;
import io.haul.criu.rpc.CriuOpts;
import io.haul.criu.rpc.CriuReq;
import io.haul.criu.rpc.CriuReqType;
import io.haul.criu.rpc.CriuResp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dump CRIU holds at its post-dump notification: the images are written and the tree is frozen, and CRIU
 * waits for our answer. Answering success ({@link #commit()}) lets CRIU finish, which kills the tree
 * ({@code leave_running} is false); answering failure ({@link #abort()}) makes CRIU fail the dump, which
 * resumes the tree as it was. Losing us (the agent dies, the socket closes) has the same effect as a failure.
 */
final class HeldDump implements FrozenDump {

    private static final Logger LOG = LoggerFactory.getLogger(HeldDump.class);
    private static final String POST_DUMP = "post-dump";

    private enum State { HELD, COMMITTED, ABORTED, FAILED }

    private final RpcSession session;
    private final CriuDirs dirs;
    private final Path imageDir;
    private final long pid;
    private final Duration frozenFor;
    private final Duration answerTimeout;
    private State state = State.HELD;

    private HeldDump(RpcSession session, CriuDirs dirs, Path imageDir, long pid, Duration frozenFor,
            Duration answerTimeout) {
        this.session = session;
        this.dirs = dirs;
        this.imageDir = imageDir;
        this.pid = pid;
        this.frozenFor = frozenFor;
        this.answerTimeout = answerTimeout;
    }

    /**
     * Runs a dump up to post-dump and returns it held there.
     *
     * @param timeout how long CRIU may take to freeze and write the images
     */
    static HeldDump start(Path criu, DumpRequest request, Duration timeout) throws HaulException {
        CriuOptions plan = request.options();
        long pid = request.rootPid();
        String what = "CRIU dump of pid " + pid;
        // CRIU's own log says only "Unable to interrupt task" (a warning) for a pid that is not there
        if (pid <= 0 || !Files.exists(Path.of("/proc", Long.toString(pid)))) {
            throw new HaulException("criu.dump-failed", "cannot dump pid " + pid + ": no such process on this host");
        }
        CriuDirs dirs = CriuDirs.open(request.imageDir(), request.logFile(), true, "criu.dump-failed");
        RpcSession session = null;
        try {
            session = RpcSession.start(criu);
            CriuOpts.Builder options = dirs.options()
                    .setPid((int) pid)
                    .setLeaveRunning(false)
                    .setNotifyScripts(true)
                    .setTcpEstablished(plan.has(Flag.TCP_ESTABLISHED))
                    .setShellJob(plan.has(Flag.SHELL_JOB))
                    .setFileLocks(plan.has(Flag.FILE_LOCKS))
                    .setExtUnixSk(plan.has(Flag.EXTERNAL_UNIX_SOCKETS))
                    .addAllExternal(plan.externals());
            long started = System.nanoTime();
            session.send(CriuReq.newBuilder().setType(CriuReqType.DUMP).setOpts(options).build());
            while (true) {
                CriuResp response = session.receive(timeout);
                if (response.getType() == CriuReqType.NOTIFY) {
                    String script = response.getNotify().getScript();
                    if (POST_DUMP.equals(script)) {
                        Duration frozen = Duration.ofNanos(System.nanoTime() - started);
                        LOG.info("{}: images written to {} in {} ms; the tree is held frozen", what,
                                request.imageDir(), frozen.toMillis());
                        ConnectionLocks.writeBeside(dirs.logFile(), request.imageDir());
                        return new HeldDump(session, dirs, request.imageDir(), pid, frozen, timeout);
                    }
                    LOG.debug("{}: {} notification, answered", what, script);
                    session.send(notifyAnswer(true));
                } else if (response.getType() == CriuReqType.DUMP && !response.getSuccess()) {
                    throw CriuFailure.of("criu.dump-failed", what, response, dirs.logFile());
                } else {
                    // a successful end without post-dump: the tree was never held, and CRIU has killed it
                    throw new HaulException("criu.protocol", what + ": CRIU answered " + response.getType()
                            + " (success " + response.getSuccess() + ") before its post-dump notification",
                            dirs.logFile().toString(), null);
                }
            }
        } catch (HaulException e) {
            if (session != null) {
                session.close();
            }
            dirs.close();
            throw e.logFile() != null ? e : CriuFailure.around(e.code(), what, e, dirs.logFile());
        }
    }

    @Override
    public Path imageDir() {
        return imageDir;
    }

    @Override
    public Duration frozenFor() {
        return frozenFor;
    }

    @Override
    public synchronized void commit() throws HaulException {
        switch (state) {
            case COMMITTED -> {
                return;
            }
            case ABORTED, FAILED -> throw new HaulException("criu.dump-not-held",
                    "the dump of pid " + pid + " was " + state.name().toLowerCase() + " already; nothing to commit");
            case HELD -> {
            }
        }
        String what = "committing the CRIU dump of pid " + pid;
        try {
            session.send(notifyAnswer(true));
            CriuResp response = finalAnswer(answerTimeout);
            if (!response.getSuccess()) {
                state = State.FAILED;
                throw CriuFailure.of("criu.dump-failed", what, response, dirs.logFile());
            }
            state = State.COMMITTED;
            LOG.info("dump of pid {} committed: CRIU has ended the tree", pid);
            ConnectionLocks.release(ConnectionLocks.loggedIn(dirs.logFile())); // the destination's now
        } catch (HaulException e) {
            state = State.FAILED;
            throw e.logFile() != null ? e : CriuFailure.around(e.code(), what, e, dirs.logFile());
        } finally {
            finish();
        }
    }

    @Override
    public synchronized void abort() {
        if (state != State.HELD) {
            return;
        }
        state = State.ABORTED;
        try {
            session.send(notifyAnswer(false));
            CriuResp response = finalAnswer(answerTimeout);
            LOG.info("dump of pid {} aborted: CRIU resumed the tree (its answer: success {})", pid,
                    response.getSuccess());
        } catch (HaulException e) {
            // closing the connection (finish) makes CRIU resume the tree as well
            LOG.warn("aborting the dump of pid {}: {}; dropping the connection instead", pid, e.getMessage());
        } finally {
            finish();
        }
    }

    @Override
    public void close() {
        abort();
    }

    /**
     * Closes the connection without answering, as the agent's death would: CRIU resumes the tree. For tests
     * of that promise; in production {@link #abort()} says it properly.
     */
    synchronized void dropConnection() {
        if (state != State.HELD) {
            return;
        }
        state = State.ABORTED;
        session.dropConnection();
        finish();
    }

    private CriuResp finalAnswer(Duration timeout) throws HaulException {
        while (true) {
            CriuResp response = session.receive(timeout);
            if (response.getType() == CriuReqType.DUMP) {
                return response;
            }
            if (response.getType() != CriuReqType.NOTIFY) {
                throw new HaulException("criu.protocol", "CRIU answered " + response.getType() + " to a DUMP");
            }
            // nothing comes after post-dump today; answer anything a later CRIU adds so it cannot hang on us
            LOG.debug("dump of pid {}: {} notification after post-dump, answered", pid,
                    response.getNotify().getScript());
            session.send(notifyAnswer(true));
        }
    }

    private void finish() {
        session.close();
        dirs.close();
    }

    private static CriuReq notifyAnswer(boolean success) {
        return CriuReq.newBuilder().setType(CriuReqType.NOTIFY).setNotifySuccess(success).build();
    }
}
