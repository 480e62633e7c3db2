package io.haul.shell;

import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.MigrationStatistics;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.Phase;
import io.haul.api.migration.ProgressEvent;
import io.haul.api.strategy.RoundStats;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How migrations read in a terminal: progress lines while one runs, a summary when it ends, a table of all. */
final class MigrationFormats {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());
    private static final int BAR_WIDTH = 30;

    private MigrationFormats() {
    }

    /** One line per event; transfers get a bar with bytes, rate and the time the rest should take. */
    static String progress(ProgressEvent event, Instant start) {
        String elapsed = String.format(Locale.ROOT, "%7.2fs", Duration.between(start, event.at()).toMillis() / 1000.0);
        String head = elapsed + "  " + pad(event.phase().name(), 10) + "  ";
        if (event.done() >= 0 && event.total() > 0) {
            int filled = (int) Math.min(BAR_WIDTH, BAR_WIDTH * event.done() / event.total());
            return head + "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "] "
                    + Formats.bytes(event.done()) + " / " + Formats.bytes(event.total()) + "  "
                    + Formats.bytes((long) event.bytesPerSecond()) + "/s"
                    + (event.eta() == null || event.done() >= event.total() ? ""
                            : String.format(Locale.ROOT, "  ETA %.1fs", event.eta().toMillis() / 1000.0));
        }
        return head + event.message();
    }

    static String record(MigrationRecord r) {
        StringBuilder out = new StringBuilder();
        out.append("migration ").append(r.id()).append(": ").append(r.outcome())
                .append("  ").append(r.container()).append("  ").append(r.source()).append(" -> ").append(r.destination())
                .append('\n');
        out.append("started ").append(TIME.format(r.started()));
        if (r.ended() != null) {
            out.append(", ended ").append(TIME.format(r.ended())).append(" (")
                    .append(millis(Duration.between(r.started(), r.ended()))).append(")");
        } else {
            out.append(", now in ").append(r.phase());
        }
        out.append("\n\n");
        MigrationStatistics s = r.statistics();
        TextTable phases = new TextTable("PHASE", "DURATION");
        for (Phase phase : Phase.values()) {
            Duration d = s.phaseDurations().get(phase);
            if (d != null) {
                phases.row(phase, millis(d));
            }
        }
        out.append(phases).append('\n');
        for (RoundStats round : s.rounds()) {
            out.append(String.format(Locale.ROOT, "round %d: %d pages scanned, %d changed, %d sent (%s) in %s, "
                    + "dirty rate %.0f pages/s, predicted downtime %s%n", round.round(), round.pagesScanned(),
                    round.pagesChanged(), round.pagesSent(), Formats.bytes(round.bytesSent()), millis(round.duration()),
                    round.dirtyPagesPerSecond(), millis(round.predictedDowntime())));
        }
        if (r.outcome() == Outcome.SUCCEEDED || !s.frozen().isZero()) {
            out.append("frozen        ").append(millis(s.frozen())).append(" (from the freeze on ").append(r.source())
                    .append(" to running on ").append(r.destination()).append(")\n");
        }
        if (!s.networkSilence().isZero()) {
            out.append("network       ").append(millis(s.networkSilence())).append(" silent (from the container's last "
                    + "TCP or UDP frame seen on ").append(r.source()).append(" before the freeze to its first seen on ")
                    .append(r.destination()).append(" after the copy ran, each host's clock)\n");
        }
        out.append("on the wire   ").append(Formats.bytes(s.bytesOnWire())).append('\n');
        out.append("images        ").append(Formats.bytes(s.imageBytes())).append('\n');
        if (s.newRootPid() > 0) {
            out.append("new root pid  ").append(s.newRootPid()).append(" on ").append(r.destination()).append('\n');
        }
        if (r.error() != null) {
            out.append("error         [").append(r.error().code()).append("] in ").append(r.error().phase()).append(": ")
                    .append(r.error().message()).append('\n');
            if (!r.error().logFile().isEmpty()) {
                out.append("log           ").append(r.error().logFile()).append('\n');
            }
        }
        return out.toString();
    }

    static String list(MigrationList list) {
        if (list.migrations().isEmpty()) {
            return "no migrations\n";
        }
        TextTable table = new TextTable("ID", "CONTAINER", "FROM", "TO", "PHASE", "OUTCOME", "STARTED", "TOOK");
        for (MigrationRecord r : list.migrations()) {
            table.row(r.id().substring(0, Math.min(8, r.id().length())), r.container(), r.source(), r.destination(),
                    r.phase(), r.outcome(), TIME.format(r.started()),
                    r.ended() == null ? "" : millis(Duration.between(r.started(), r.ended())));
        }
        return table.toString();
    }

    static String millis(Duration d) {
        long ms = d.toMillis();
        return ms < 10_000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }
}
