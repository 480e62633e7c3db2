package io.haul.shell;

import io.haul.api.migration.MigrationRecord;
import io.haul.api.namespace.NamespaceReport;
import io.haul.host.HostReport;
import io.haul.json.HaulJson;
import org.apache.felix.service.command.Converter;
import org.osgi.service.component.annotations.Component;

/**
 * Formats the commands' DTOs for people, and the same DTOs as JSON when a command was asked for {@code --json}
 * ({@link JsonView}); pipes get the objects themselves. Gogo asks every converter, so this one answers only for
 * its own types.
 */
@Component(property = {
    Converter.CONVERTER_CLASSES + "=io.haul.shell.PluginList",
    Converter.CONVERTER_CLASSES + "=io.haul.shell.ContainerList",
    Converter.CONVERTER_CLASSES + "=io.haul.api.namespace.NamespaceReport",
    Converter.CONVERTER_CLASSES + "=io.haul.host.HostReport",
    Converter.CONVERTER_CLASSES + "=io.haul.shell.MigrationList",
    Converter.CONVERTER_CLASSES + "=io.haul.shell.AgentList",
    Converter.CONVERTER_CLASSES + "=io.haul.api.migration.MigrationRecord",
    Converter.CONVERTER_CLASSES + "=io.haul.shell.JsonView"
})
public final class HaulConverter implements Converter {

    @Override
    public Object convert(Class<?> desiredType, Object in) {
        return null; // nothing is converted from text; these types only travel as results
    }

    @Override
    public CharSequence format(Object target, int level, Converter escape) {
        if (level != INSPECT && level != LINE) {
            return null;
        }
        return switch (target) {
            case HostReport report -> Formats.hostReport(report).stripTrailing();
            case PluginList list -> Formats.pluginList(list).stripTrailing();
            case ContainerList list -> Formats.containerList(list).stripTrailing();
            case NamespaceReport report -> Formats.namespaceReport(report).stripTrailing();
            case MigrationList list -> MigrationFormats.list(list).stripTrailing();
            case AgentList list -> Formats.agentList(list).stripTrailing();
            case MigrationRecord record -> MigrationFormats.record(record).stripTrailing();
            case JsonView view -> HaulJson.pretty(view.value());
            default -> null;
        };
    }
}
