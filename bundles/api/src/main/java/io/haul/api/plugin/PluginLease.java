package io.haul.api.plugin;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A plugin in use for one piece of work. Its bundle may go away meanwhile: {@link #gone()} then says so, and the
 * work must fail cleanly (a migration rolls back) rather than call a plugin that is being stopped.
 *
 * @param <T> the service interface
 */
@ProviderType
public interface PluginLease<T> extends AutoCloseable {

    T service();

    /** The name the plugin is registered under. */
    String name();

    /** Whether the plugin was unregistered since the lease began. */
    boolean gone();

    /** Ends the use; the plugin itself stays registered. */
    @Override
    void close();
}
