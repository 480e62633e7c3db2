package io.haul.backend.process;

import java.util.ArrayList;
import java.util.List;

/**
 * The few lines of {@code /proc/PID/status} the backend needs.
 *
 * @param tgid         the thread group (process) id; differs from the pid asked for when that is a thread
 * @param ppid         the parent's pid
 * @param effectiveUid the effective uid, or -1 when the line is missing
 * @param nsPid        the pid in each nested PID namespace, outermost first; null when the kernel has no
 *                     NSpid line (before Linux 4.1): then nothing can be said about the namespace
 * @param nsSid        the session id in each nested PID namespace (0 where the session leader is not
 *                     visible); null when the kernel has no NSsid line
 * @param rssKb        VmRSS in KiB; 0 for kernel threads and zombies, which have no such line
 */
record ProcStatus(long tgid, long ppid, long effectiveUid, List<Long> nsPid, List<Long> nsSid, long rssKb) {

    ProcStatus {
        nsPid = nsPid == null ? null : List.copyOf(nsPid);
        nsSid = nsSid == null ? null : List.copyOf(nsSid);
    }

    /** The pid inside the process's own (innermost) PID namespace, or -1 when the kernel does not say. */
    long innermostPid() {
        return nsPid == null || nsPid.isEmpty() ? -1 : nsPid.getLast();
    }

    /** The session id inside the process's own PID namespace, -1 when unknown, 0 when the leader is outside it. */
    long innermostSid() {
        return nsSid == null || nsSid.isEmpty() ? -1 : nsSid.getLast();
    }

    long rssBytes() {
        return rssKb * 1024;
    }

    static ProcStatus parse(String text) {
        long tgid = -1;
        long ppid = -1;
        long euid = -1;
        List<Long> nsPid = null;
        List<Long> nsSid = null;
        long rssKb = 0;
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String value = line.substring(colon + 1).trim();
            try {
                switch (line.substring(0, colon)) {
                    case "Tgid" -> tgid = Long.parseLong(value);
                    case "PPid" -> ppid = Long.parseLong(value);
                    case "Uid" -> euid = numbers(value).get(1); // real, effective, saved, filesystem
                    case "NSpid" -> nsPid = numbers(value);
                    case "NSsid" -> nsSid = numbers(value);
                    case "VmRSS" -> rssKb = Long.parseLong(value.split("\\s+")[0]); // "1932 kB"
                    default -> { }
                }
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                throw new IllegalArgumentException("bad status line: " + line, e);
            }
        }
        return new ProcStatus(tgid, ppid, euid, nsPid, nsSid, rssKb);
    }

    private static List<Long> numbers(String value) {
        List<Long> out = new ArrayList<>();
        for (String field : value.split("\\s+")) {
            if (!field.isEmpty()) {
                out.add(Long.parseLong(field));
            }
        }
        return out;
    }
}
