package io.haul.engine;

import io.haul.api.Plugin;
import io.haul.api.Usability;
import io.haul.api.plugin.PluginDescription;
import io.haul.api.plugin.PluginDirectory;
import io.haul.api.plugin.PluginKind;
import io.haul.api.plugin.PluginLease;
import io.haul.api.strategy.PreCopy;
import io.haul.api.strategy.PreDumpStrategy;
import io.haul.api.strategy.RoundStats;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/** One agent's plugins in a test: registered by hand, and a registered one can be made to go away. */
final class FakePlugins implements PluginDirectory {

    private final Map<PluginKind<?>, Map<String, Plugin>> plugins = new ConcurrentHashMap<>();
    private final Set<String> gone = ConcurrentHashMap.newKeySet();

    /** Stop and copy, as the strategy-none bundle does it. */
    static final PreDumpStrategy NONE = new PreDumpStrategy() {
        @Override
        public Usability usability() {
            return Usability.yes();
        }

        @Override
        public PreCopy start(io.haul.api.strategy.PreCopyContext context) {
            return new PreCopy() {
                @Override
                public RoundStats round() {
                    return new RoundStats(1, 0, 0, 0, 0, Duration.ZERO, 0, Duration.ZERO);
                }

                @Override
                public void close() {
                }
            };
        }
    };

    <T extends Plugin> FakePlugins with(PluginKind<T> kind, String name, T plugin) {
        plugins.computeIfAbsent(kind, k -> new ConcurrentHashMap<>()).put(name, plugin);
        return this;
    }

    /** The plugin's bundle went away: leases of it say so, new ones are not given. */
    void remove(PluginKind<?> kind, String name) {
        gone.add(kind.name() + ":" + name);
        plugins.getOrDefault(kind, Map.of()).remove(name);
    }

    @Override
    public <T extends Plugin> Optional<PluginLease<T>> lease(PluginKind<T> kind, String name) {
        Plugin plugin = plugins.getOrDefault(kind, Map.of()).get(name);
        if (plugin == null) {
            return Optional.empty();
        }
        T service = kind.service().cast(plugin);
        return Optional.of(new PluginLease<>() {
            @Override
            public T service() {
                return service;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean gone() {
                return FakePlugins.this.gone.contains(kind.name() + ":" + name);
            }

            @Override
            public void close() {
            }
        });
    }

    @Override
    public List<String> names(PluginKind<?> kind) {
        return List.copyOf(new TreeSet<>(plugins.getOrDefault(kind, Map.of()).keySet()));
    }

    @Override
    public List<String> usableNames(PluginKind<?> kind) {
        return names(kind);
    }

    @Override
    public List<PluginDescription> describe(PluginKind<?> kind) {
        return names(kind).stream().map(n -> new PluginDescription(kind.name(), n, "test", "0", true, "")).toList();
    }
}
