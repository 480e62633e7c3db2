package io.haul.itests;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What {@code ./haul migrate} printed, read the way a user reads it: progress lines, then the summary. */
public final class MigrateOutput {

    private static final Pattern ID = Pattern.compile("(?m)^migration ([0-9a-f-]{36}): ");
    private static final Pattern NEW_ROOT = Pattern.compile("(?m)^new root pid\\s+(\\d+) on (\\S+)");
    private static final Pattern FROZEN = Pattern.compile("(?m)^frozen\\s+(\\d+(?:\\.\\d+)?) (ms|s)\\b");
    private static final Pattern NETWORK = Pattern.compile("(?m)^network\\s+(\\d+(?:\\.\\d+)?) (ms|s) silent\\b");
    private static final Pattern PHASE_ROW = Pattern.compile("(?m)^([A-Z_]+)\\s+(\\d+(?:\\.\\d+)?) (ms|s)$");
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?) (B|KiB|MiB|GiB)/s\\s*$");

    private final String text;

    public MigrateOutput(String text) {
        this.text = text;
    }

    public static Optional<String> idIn(String text) {
        Matcher m = ID.matcher(text);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    public String id() {
        return idIn(text).orElseThrow(() -> new AssertionError("migrate printed no migration id:\n" + text));
    }

    public Optional<Long> newRootPid() {
        Matcher m = NEW_ROOT.matcher(text);
        return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    /** The summary's "frozen" figure in milliseconds. */
    public Optional<Double> frozenMillis() {
        Matcher m = FROZEN.matcher(text);
        return m.find() ? Optional.of(millis(m.group(1), m.group(2))) : Optional.empty();
    }

    /** The summary's "network ... silent" figure in milliseconds: the agents' view of the container's silence. */
    public Optional<Double> networkSilentMillis() {
        Matcher m = NETWORK.matcher(text);
        return m.find() ? Optional.of(millis(m.group(1), m.group(2))) : Optional.empty();
    }

    /** The duration of one phase in the summary's PHASE/DURATION table, in milliseconds. */
    public Optional<Double> phaseMillis(String phase) {
        int table = text.indexOf("PHASE ");
        Matcher m = PHASE_ROW.matcher(table < 0 ? "" : text.substring(table));
        while (m.find()) {
            if (m.group(1).equals(phase)) {
                return Optional.of(millis(m.group(2), m.group(3)));
            }
        }
        return Optional.empty();
    }

    /** The rows of the summary's PHASE/DURATION table, in order. */
    public List<String> phaseRows() {
        List<String> phases = new ArrayList<>();
        int table = text.indexOf("PHASE ");
        if (table < 0) {
            return phases;
        }
        Matcher m = PHASE_ROW.matcher(text.substring(table));
        while (m.find()) {
            phases.add(m.group(1));
        }
        return phases;
    }

    /** The transfer rate the last TRANSFER progress line showed, in MiB/s. */
    public Optional<Double> lastTransferRateMiBps() {
        Optional<Double> rate = Optional.empty();
        for (String line : text.lines().toList()) {
            if (line.contains("TRANSFER") && line.contains("[")) {
                Matcher m = RATE.matcher(line);
                if (m.find()) {
                    double value = Double.parseDouble(m.group(1));
                    rate = Optional.of(switch (m.group(2)) {
                        case "B" -> value / (1 << 20);
                        case "KiB" -> value / 1024;
                        case "GiB" -> value * 1024;
                        default -> value;
                    });
                }
            }
        }
        return rate;
    }

    public String text() {
        return text;
    }

    static double millis(String number, String unit) {
        double value = Double.parseDouble(number);
        return unit.equals("s") ? value * 1000 : value;
    }
}
