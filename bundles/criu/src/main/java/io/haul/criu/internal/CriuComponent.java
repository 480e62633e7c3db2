package io.haul.criu.internal;

import io.haul.api.HaulException;
import io.haul.api.Usability;
import io.haul.criu.hold.CriuHold;
import io.haul.criu.hold.HoldHook;
import io.haul.criu.Criu;
import io.haul.criu.DumpRequest;
import io.haul.criu.FrozenDump;
import io.haul.criu.RestoreRequest;
import io.haul.criu.RestoredTree;
import io.haul.criu.rpc.CriuReq;
import io.haul.criu.rpc.CriuReqType;
import io.haul.criu.rpc.CriuResp;
import io.haul.criu.rpc.CriuVersion;
import io.haul.host.CriuStatus;
import io.haul.host.HostProbe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Criu} service: every call starts its own {@code criu swrk} (the CRIU {@link HostProbe} found and
 * checked) and talks CRIU's RPC to it.
 */
@Component(service = Criu.class)
public final class CriuComponent implements Criu {

    /** How long CRIU may take to freeze a tree and write its images (restores: {@link StoppedTree#timeoutFor}). */
    static final Duration DUMP_TIMEOUT = Duration.ofMinutes(30);
    /** How long the quick requests (version, cpuinfo) and the answers after post-dump may take. */
    static final Duration SHORT_CALL = Duration.ofSeconds(60);
    /** How long a passed {@code criu check} is trusted: a restore should not pay for one in its downtime. */
    static final Duration CHECK_REUSE = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(CriuComponent.class);

    private final HostProbe host;
    private volatile Checked checked;

    private record Checked(Path path, long atNanos) {
    }

    @Activate
    public CriuComponent(@Reference HostProbe host) {
        this.host = Objects.requireNonNull(host, "host");
    }

    @Override
    public Usability restoreHold() {
        return HoldHook.check(CriuHold.ENGINE_CRIU_CONFIG);
    }

    @Override
    public String version() throws HaulException {
        Path criu = executable();
        try (RpcSession session = RpcSession.start(criu)) {
            session.send(CriuReq.newBuilder().setType(CriuReqType.VERSION).build());
            CriuResp response = session.receive(SHORT_CALL);
            if (response.getSuccess() && response.hasVersion()) {
                CriuVersion v = response.getVersion();
                return v.getMajorNumber() + "." + v.getMinorNumber() + (v.hasSublevel() ? "." + v.getSublevel() : "");
            }
            LOG.debug("criu answered VERSION with success {}: using criu --version", response.getSuccess());
        } catch (HaulException e) {
            LOG.debug("VERSION request failed ({}): using criu --version", e.getMessage());
        }
        String version = host.criu().version();
        if (version.isEmpty()) {
            throw new HaulException("criu.unavailable", criu + " does not tell its version");
        }
        return version;
    }

    @Override
    public FrozenDump dump(DumpRequest request) throws HaulException {
        Objects.requireNonNull(request, "request");
        return HeldDump.start(executable(), request, DUMP_TIMEOUT);
    }

    @Override
    public RestoredTree restore(RestoreRequest request) throws HaulException {
        Objects.requireNonNull(request, "request");
        return StoppedTree.start(executable(), request, StoppedTree.timeoutFor(request.imageDir()));
    }

    @Override
    public void cpuinfoDump(Path dir) throws HaulException {
        cpuinfo(CriuReqType.CPUINFO_DUMP, dir, "cpuinfo-dump.log", "criu.cpuinfo-dump-failed");
    }

    @Override
    public void cpuinfoCheck(Path dir) throws HaulException {
        cpuinfo(CriuReqType.CPUINFO_CHECK, dir, "cpuinfo-check.log", "criu.cpuinfo-mismatch");
    }

    /** CPUINFO_DUMP writes cpuinfo.img into the folder, CPUINFO_CHECK compares the one there; the log goes beside. */
    private void cpuinfo(CriuReqType type, Path dir, String logName, String code) throws HaulException {
        Path criu = executable();
        String what = "CRIU " + type.name().toLowerCase().replace('_', ' ') + " in " + dir;
        try (CriuDirs dirs = CriuDirs.open(dir, dir.resolve(logName), type == CriuReqType.CPUINFO_DUMP, code);
                RpcSession session = RpcSession.start(criu)) {
            session.send(CriuReq.newBuilder().setType(type).setOpts(dirs.options()).build());
            CriuResp response;
            try {
                response = session.receive(SHORT_CALL);
            } catch (HaulException e) {
                throw CriuFailure.around(e.code(), what, e, dirs.logFile());
            }
            if (!response.getSuccess()) {
                throw CriuFailure.of(code, what, response, dirs.logFile());
            }
            LOG.debug("{}: done", what);
        }
    }

    /** The CRIU to run: HostProbe's, if its {@code criu check} passed (reused for {@link #CHECK_REUSE}). */
    private Path executable() throws HaulException {
        Checked last = checked;
        if (last != null && System.nanoTime() - last.atNanos() < CHECK_REUSE.toNanos()) {
            return last.path();
        }
        CriuStatus status = host.criu();
        if (!status.found()) {
            throw new HaulException("criu.unavailable", "no CRIU found: " + status.checkOutput());
        }
        if (!status.checkPassed()) {
            throw new HaulException("criu.unavailable", "CRIU " + status.path() + " (" + status.source()
                    + ") fails 'criu check' on this host: " + status.checkOutput());
        }
        Path path = Path.of(status.path());
        checked = new Checked(path, System.nanoTime());
        return path;
    }
}
