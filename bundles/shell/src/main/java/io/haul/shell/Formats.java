package io.haul.shell;

import io.haul.api.backend.ContainerInfo;
import io.haul.api.namespace.ContainerNamespaces;
import io.haul.api.namespace.NamespaceInstance;
import io.haul.api.namespace.NamespaceReport;
import io.haul.api.namespace.NamespaceVerdict;
import io.haul.api.plugin.PluginDescription;
import io.haul.host.CriuStatus;
import io.haul.host.HostReport;
import io.haul.host.KernelFeature;
import java.util.Locale;

/** How the command DTOs read in a terminal. */
final class Formats {

    private Formats() {
    }

    static String hostReport(HostReport report) {
        CriuStatus criu = report.criu();
        StringBuilder out = new StringBuilder();
        out.append("kernel  ").append(report.kernelRelease()).append('\n');
        if (criu.found()) {
            out.append("criu    ").append(criu.path()).append(" (").append(source(criu)).append("), version ")
                    .append(criu.version().isEmpty() ? "unknown" : criu.version()).append('\n');
            out.append("check   ").append(criu.checkPassed() ? "passed: " : "FAILED: ")
                    .append(lastLine(criu.checkOutput())).append('\n');
        } else {
            out.append("criu    NOT FOUND: ").append(criu.checkOutput()).append('\n');
        }
        out.append('\n');
        TextTable features = new TextTable("FEATURE", "STATE", "DETAIL");
        for (KernelFeature feature : report.features()) {
            features.row(feature.name(), feature.present() ? "present" : "MISSING", feature.detail());
        }
        return out.append(features).toString();
    }

    static String pluginList(PluginList list) {
        if (list.plugins().isEmpty()) {
            return "no " + list.plural() + " registered\n";
        }
        TextTable table = new TextTable("NAME", "USABLE", "BUNDLE", "VERSION", "WHY NOT");
        for (PluginDescription plugin : list.plugins()) {
            table.row(plugin.name(), plugin.usable() ? "yes" : "no", plugin.bundle(), plugin.version(), plugin.reason());
        }
        return table.toString();
    }

    static String containerList(ContainerList list) {
        StringBuilder out = new StringBuilder();
        if (list.containers().isEmpty()) {
            out.append("no containers found\n");
        } else {
            TextTable table = new TextTable("CONTAINER", "PID", "PROCS", "RSS", "NESTED", "NETWORK", "MIGRATABLE",
                    "COMMAND");
            for (ContainerInfo c : list.containers()) {
                table.row(c.ref(), c.rootPid(), c.processes(), bytes(c.rssBytes()),
                        c.details().getOrDefault(ContainerNamespaces.NESTED_DETAIL, "-"), network(c),
                        c.migratable() ? "yes" : "no: " + c.whyNot(), c.command());
            }
            out.append(table);
        }
        list.problems().forEach(problem -> out.append("warning: ").append(problem).append('\n'));
        return out.toString();
    }

    /** How the container's network moves; a refusal the MIGRATABLE column gives whole is only named. */
    private static String network(ContainerInfo c) {
        String how = c.details().getOrDefault(ContainerNamespaces.NETWORK_DETAIL, "-");
        return how.startsWith("refused: ") && c.whyNot().contains(how.substring("refused: ".length()))
                ? "refused (see MIGRATABLE)" : how;
    }

    /** A container's namespaces, a row per instance, and whether a migration would be refused. */
    static String namespaceReport(NamespaceReport report) {
        StringBuilder out = new StringBuilder();
        out.append(report.container()).append(" (root pid ").append(report.rootPid()).append(")\n\n");
        TextTable table = new TextTable("KIND", "INODE", "PLACE", "TASKS", "OWNER", "PARENT", "HAUL");
        for (NamespaceVerdict verdict : report.verdicts()) {
            NamespaceInstance i = verdict.instance();
            String place = switch (i.place()) {
                case HOST -> "host";
                case CONTAINER -> "own";
                case NESTED -> "nested under " + i.kind().procName() + ":[" + report.tree().of(i.kind()).stream()
                        .filter(o -> o.place() == NamespaceInstance.Place.CONTAINER).findFirst()
                        .map(o -> Long.toString(o.inode())).orElse(i.parent() == 0 ? "?" : Long.toString(i.parent()))
                        + "]";
            };
            String tasks = i.pids().size() <= 4 ? i.pids().toString().replace(" ", "")
                    : i.pids().subList(0, 3).toString().replace(" ", "").replace("]", ",...](" + i.pids().size() + ")");
            String action = switch (verdict.action()) {
                case STAYS_THE_HOSTS -> "stays the host's";
                case MOVED_BY_CRIU -> "moved by CRIU";
                case MOVED_WITH_HAUL -> "moved with Haul's help";
                case REFUSED -> "REFUSED";
            };
            table.row(i.kind().procName(), i.inode(), place, tasks, i.ownerUserNs() == 0 ? "-" : "user:[" + i.ownerUserNs()
                    + "]", i.parent() == 0 ? "-" : i.kind().procName() + ":[" + i.parent() + "]",
                    verdict.detail().isEmpty() ? action : action + ": " + verdict.detail());
        }
        out.append(table);
        out.append('\n').append(report.movable() ? "migratable as far as its namespaces go"
                : "a migration is refused before anything freezes: " + report.refusal()).append('\n');
        return out.toString();
    }

    static String agentList(AgentList list) {
        if (list.agents().isEmpty()) {
            return "no agent has published itself yet (this one is " + list.local() + ")\n";
        }
        TextTable table = new TextTable("AGENT", "ADDRESS", "THIS", "SEEN");
        for (var agent : list.agents()) {
            table.row(agent.name(), agent.address(), agent.name().equals(list.local()) ? "*" : "", agent.seen());
        }
        return table.toString();
    }


    static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    private static String source(CriuStatus criu) {
        return switch (criu.source()) {
            case CONFIGURATION -> "configured";
            case HAUL_PREFIX -> "Haul's own install";
            case PATH -> "from PATH";
            case NOT_FOUND -> "not found";
        };
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1].strip();
    }
}
