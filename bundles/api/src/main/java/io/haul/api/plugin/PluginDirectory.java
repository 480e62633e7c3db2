package io.haul.api.plugin;

import io.haul.api.Plugin;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Every plugin registered now, by kind and name: bound dynamically as bundles come and go (a jar dropped into
 * the deploy folder counts from the next call on), shared by the engine and the shell. A plugin stays active
 * while the directory holds it, so a backend needs no {@code immediate} to keep its state between calls.
 */
@ProviderType
public interface PluginDirectory {

    /**
     * The plugin of this kind and name, for the length of one piece of work (a migration, a command). Empty when
     * none is registered under that name.
     */
    <T extends Plugin> Optional<PluginLease<T>> lease(PluginKind<T> kind, String name);

    /** The names registered for a kind now, sorted. */
    List<String> names(PluginKind<?> kind);

    /** The names of the plugins of a kind that are usable now, sorted: what the handshake offers. */
    List<String> usableNames(PluginKind<?> kind);

    /** Every plugin of a kind with its bundle and whether it is usable (else why), sorted by name. */
    List<PluginDescription> describe(PluginKind<?> kind);
}
