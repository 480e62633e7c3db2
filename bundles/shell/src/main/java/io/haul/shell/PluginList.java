package io.haul.shell;

import io.haul.api.plugin.PluginDescription;
import java.util.List;

/**
 * The plugins of one kind registered now, sorted by name: what {@code haul:backends} and friends return.
 *
 * @param kind    "BACKEND", "STRATEGY", "HANDLER" or "TRANSPORT"
 * @param plural  the kind for people ("namespace handlers")
 * @param plugins each with its bundle and whether it is usable here
 */
public record PluginList(String kind, String plural, List<PluginDescription> plugins) {

    public PluginList {
        plugins = List.copyOf(plugins);
    }
}
