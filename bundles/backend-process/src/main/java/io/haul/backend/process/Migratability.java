package io.haul.backend.process;

import io.haul.api.namespace.NamespaceKind;
import java.io.IOException;

/**
 * Whether CRIU can dump a tree without being told it is a shell job. The rule checked: the root's session
 * leader must be one of the tree's processes (MACHINE.md: start the workload with {@code setsid} inside
 * the namespace). A workload writing stdout to a host file cannot be dumped either, but that is not
 * checked here.
 */
final class Migratability {

    static final String START_WITH_SETSID = "(start it with setsid inside the namespace)";

    private Migratability() {
    }

    /** Why the tree cannot be migrated, or "" when it can. */
    static String whyNot(ProcFs proc, long rootPid, String pidNamespace, ProcStat rootStat, ProcStatus rootStatus) {
        long sid = rootStat.session();
        if (sid == rootPid) {
            return "";
        }
        if (sid == 0) {
            // this /proc cannot name the leader, so it lives in an ancestor namespace of the agent's: outside
            return "session leader is outside the tree's PID namespace and not even visible to the agent "
                    + START_WITH_SETSID;
        }
        try {
            return pidNamespace.equals(proc.namespace(sid, NamespaceKind.PID)) ? "" : outside(sid);
        } catch (IOException e) {
            if (!ProcFs.gone(e)) {
                return "cannot read the session leader " + sid + ": " + e.getMessage();
            }
            // The leader exited but its session lives on. The kernel keeps the session's id reserved, and
            // NSsid says whether that id has a number inside the tree's namespace, i.e. the leader was inside.
            long innerSid = rootStatus.innermostSid();
            if (innerSid > 0) {
                return "";
            }
            if (innerSid == 0) {
                return outside(sid);
            }
            return "session leader " + sid + " has exited, and this kernel's /proc has no NSsid to tell whether it was"
                    + " inside the tree's PID namespace " + START_WITH_SETSID;
        }
    }

    private static String outside(long sid) {
        return "session leader " + sid + " is outside the tree's PID namespace " + START_WITH_SETSID;
    }
}
