package io.haul.backend.process;

/**
 * The few fields of {@code /proc/PID/stat} the backend needs.
 *
 * @param pid     the process id, in the numbering of the /proc mount's PID namespace
 * @param comm    the command name (up to 15 bytes; may hold spaces and parentheses)
 * @param state   the one-letter state (R, S, Z...)
 * @param ppid    the parent's pid
 * @param pgrp    the process group id
 * @param session the session id; 0 when the session leader is not visible from this /proc
 */
record ProcStat(long pid, String comm, char state, long ppid, long pgrp, long session) {

    /**
     * Parses one stat line. The command name sits between the first '(' and the last ')': it may itself
     * contain ')' and spaces, so the numeric fields are only split after the last ')'.
     */
    static ProcStat parse(String line) {
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open <= 0 || close < open) {
            throw new IllegalArgumentException("no (comm) in stat line: " + abbreviate(line));
        }
        String[] rest = line.substring(close + 1).trim().split("\\s+");
        // after comm: state(3) ppid(4) pgrp(5) session(6)
        if (rest.length < 4 || rest[0].length() != 1) {
            throw new IllegalArgumentException("too few fields after (comm) in stat line: " + abbreviate(line));
        }
        try {
            return new ProcStat(Long.parseLong(line.substring(0, open).trim()), line.substring(open + 1, close),
                    rest[0].charAt(0), Long.parseLong(rest[1]), Long.parseLong(rest[2]), Long.parseLong(rest[3]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad number in stat line: " + abbreviate(line), e);
        }
    }

    private static String abbreviate(String line) {
        return line.length() <= 120 ? line : line.substring(0, 120) + "...";
    }
}
