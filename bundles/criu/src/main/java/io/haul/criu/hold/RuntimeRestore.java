package io.haul.criu.hold;

import io.haul.api.HaulException;
import io.haul.api.backend.HeldRestore;
import java.nio.file.Path;
import java.util.List;

/** A container its runtime restored from a checkpoint, its tasks held at post-restore until the commit point. */
public final class RuntimeRestore implements HeldRestore {

    private final HeldRuntimeStep step;
    private final long rootPid;
    /** The runtime's CRIU that holds the copy, found once it was held: killed, it leaves the copy stuck for good. */
    private final List<Long> holders;
    /** Where those CRIUs work: a CRIU killed mid-restore leaves its cgroup yard mounted there. */
    private final List<Path> holderFolders;

    public RuntimeRestore(HeldRuntimeStep step, long rootPid) {
        this.step = step;
        this.rootPid = rootPid;
        this.holders = step.holders();
        this.holderFolders = holders.stream().map(CriuHold::workFolderOf).flatMap(java.util.Optional::stream).toList();
    }

    @Override
    public List<Long> holders() {
        return holders;
    }

    @Override
    public long rootPid() {
        return rootPid;
    }

    @Override
    public void resume() throws HaulException {
        step.goOn("criu.resume-failed");
    }

    @Override
    public void kill() {
        boolean holderGone = holders.stream().anyMatch(pid -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
        if (holderGone) {
            // the CRIU that held the copy is gone, and with it whoever would undo the restore: the copy's tasks wait
            // in CRIU's restorer for good. The root is the init of the container's PID namespace: the rest go with it
            ProcessHandle.of(rootPid).ifPresent(ProcessHandle::destroyForcibly);
            // before the wait for the runtime's call, which may not end soon (Docker's engine waits on runc)
            CriuHold.unmountCgroupYardsIn(holderFolders);
        }
        step.undo();
    }
}
