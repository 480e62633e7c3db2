package io.haul.directory;

import io.haul.api.Plugin;
import io.haul.api.Usability;
import io.haul.api.plugin.PluginDescription;
import io.haul.api.plugin.PluginKind;
import io.haul.api.plugin.PluginLease;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The plugins of every kind registered now, by kind and service id; what {@link PluginDirectoryComponent}
 * serves, apart from OSGi so that it can be tested as it is. Thread-safe: bundles come and go while migrations
 * and commands ask.
 */
final class Plugins {

    private final Map<PluginKind<?>, Map<Long, Registered>> byKind = new HashMap<>();

    synchronized void add(PluginKind<?> kind, Registered plugin) {
        byKind.computeIfAbsent(kind, k -> new HashMap<>()).put(plugin.id(), plugin);
    }

    synchronized void remove(PluginKind<?> kind, long id) {
        Map<Long, Registered> plugins = byKind.get(kind);
        if (plugins != null) {
            plugins.remove(id);
        }
    }

    <T extends Plugin> Optional<PluginLease<T>> lease(PluginKind<T> kind, String name) {
        return chosen(kind, name).map(plugin -> new Lease<>(kind.service().cast(plugin.service()), name,
                () -> !registered(kind, plugin.id())));
    }

    synchronized List<String> names(PluginKind<?> kind) {
        return List.copyOf(new TreeSet<>(all(kind).stream().map(Registered::name).toList()));
    }

    /** Usability is asked outside the lock: a plugin's check may take a while (it may ask its runtime). */
    List<String> usableNames(PluginKind<?> kind) {
        TreeSet<String> usable = new TreeSet<>();
        for (Registered plugin : snapshot(kind)) {
            if (plugin.usability().usable()) {
                usable.add(plugin.name());
            }
        }
        return List.copyOf(usable);
    }

    List<PluginDescription> describe(PluginKind<?> kind) {
        List<PluginDescription> described = new ArrayList<>();
        for (Registered plugin : snapshot(kind)) {
            Usability usability = plugin.usability();
            described.add(new PluginDescription(kind.name(), plugin.name(), plugin.bundle(), plugin.version(),
                    usability.usable(), usability.reason()));
        }
        described.sort(Comparator.comparing(PluginDescription::name).thenComparing(PluginDescription::bundle));
        return described;
    }

    private synchronized Optional<Registered> chosen(PluginKind<?> kind, String name) {
        return all(kind).stream().filter(p -> p.name().equals(name)).min(Comparator.comparingLong(Registered::id));
    }

    private synchronized boolean registered(PluginKind<?> kind, long id) {
        return byKind.getOrDefault(kind, Map.of()).containsKey(id);
    }

    private synchronized List<Registered> snapshot(PluginKind<?> kind) {
        return List.copyOf(all(kind));
    }

    private List<Registered> all(PluginKind<?> kind) {
        return new ArrayList<>(byKind.getOrDefault(kind, Map.of()).values());
    }
}
