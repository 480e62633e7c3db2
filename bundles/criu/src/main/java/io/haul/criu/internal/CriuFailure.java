package io.haul.criu.internal;

import io.haul.api.HaulException;
import io.haul.criu.rpc.CriuResp;
import io.haul.host.linux.Errno;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Failures of CRIU calls as {@link HaulException}s a person can act on: what failed, CRIU's own message and
 * errno when it sent them, the last error lines of its log, and the log's path in {@code logFile()}.
 * (CRIU's {@code cr_errmsg} is the first error it logged, the log's last lines are how it ended: both help.)
 */
final class CriuFailure {

    /** How many of the log's last error lines go into a message. */
    static final int HINT_LINES = 3;

    private static final int LOG_TAIL_BYTES = 64 * 1024;
    // "(00.012345) Error (criu/cr-dump.c:1234): the message" -> "(criu/cr-dump.c:1234): the message"; clean() drops
    // the source place
    private static final Pattern ERROR_LINE = Pattern.compile("^\\(\\s*[0-9.]+\\)\\s+(?:\\d+:\\s+)?Error\\s+(.*)$");
    private static final Pattern SOURCE_PLACE = Pattern.compile("^(?:Error\\s+)?\\([^)]*:\\d+\\):\\s*");

    private CriuFailure() {
    }

    /** A failure CRIU answered with ({@code success = false}). */
    static HaulException of(String code, String what, CriuResp response, Path log) {
        StringBuilder message = new StringBuilder(what).append(" failed");
        List<String> said = new ArrayList<>();
        String crMessage = response.hasCrErrmsg() ? clean(response.getCrErrmsg()) : "";
        if (!crMessage.isEmpty() && !harmless(crMessage)) {
            said.add(crMessage);
        }
        for (String line : logErrors(log)) {
            if (!said.contains(line)) {
                said.add(line);
            }
        }
        if (!said.isEmpty()) {
            message.append(": ").append(String.join("; ", said));
        }
        if (response.hasCrErrno() && response.getCrErrno() != 0) {
            int errno = response.getCrErrno();
            message.append(" [").append(Errno.name(errno)).append(": ").append(Errno.description(errno)).append(']');
        }
        return new HaulException(code, withLog(message, log), logOrNull(log), null);
    }

    /** A failure of ours around a CRIU call (lost connection, timeout...), pointing at the call's log too. */
    static HaulException around(String code, String what, HaulException cause, Path log) {
        StringBuilder message = new StringBuilder(what).append(" failed: ").append(cause.getMessage());
        List<String> errors = logErrors(log);
        if (!errors.isEmpty()) {
            message.append("; CRIU's log ends with: ").append(String.join("; ", errors));
        }
        return new HaulException(code, withLog(message, log), logOrNull(log), cause);
    }

    /**
     * The last {@link #HINT_LINES} error lines of a CRIU log, without timestamps and source places, and
     * without the ones CRIU logs on every run here; empty when none or no log.
     */
    static List<String> logErrors(Path log) {
        if (log == null || !Files.isRegularFile(log)) {
            return List.of();
        }
        List<String> lines;
        try {
            lines = FileTail.lastBytes(log, LOG_TAIL_BYTES).lines().toList();
        } catch (IOException | UncheckedIOException e) {
            return List.of();
        }
        List<String> errors = lines.stream()
                .map(ERROR_LINE::matcher)
                .filter(Matcher::matches)
                .map(m -> clean(m.group(1)))
                .filter(line -> !line.isEmpty() && !harmless(line))
                .toList();
        return errors.subList(Math.max(0, errors.size() - HINT_LINES), errors.size());
    }

    /** "Error (criu/cr-dump.c:1975): Dumping FAILED." and "(criu/cr-dump.c:1975): Dumping FAILED." -> "Dumping FAILED." */
    private static String clean(String line) {
        return SOURCE_PLACE.matcher(line.strip()).replaceFirst("").strip();
    }

    // CRIU cannot raise its own RLIMIT_NOFILE here and logs it as an error on every run; it changes nothing
    private static boolean harmless(String line) {
        return line.contains("Can't setup RLIMIT_NOFILE");
    }

    private static String withLog(StringBuilder message, Path log) {
        if (logOrNull(log) != null) {
            message.append(" (log: ").append(log).append(')');
        }
        return message.toString();
    }

    private static String logOrNull(Path log) {
        return log != null && Files.exists(log) ? log.toString() : null;
    }
}
