package io.haul.shell;

import java.util.List;

/** The plugins of one kind registered now, sorted by name: what {@code haul:backends} and friends return. */
public record PluginList(PluginKind kind, List<PluginInfo> plugins) {

    public PluginList {
        plugins = List.copyOf(plugins);
    }
}
