package io.haul.directory;

import io.haul.api.plugin.PluginLease;
import java.util.function.BooleanSupplier;

/** A plugin lent for one piece of work; {@link #gone} asks the directory whether it was unregistered since. */
record Lease<T>(T service, String name, BooleanSupplier unregistered) implements PluginLease<T> {

    @Override
    public boolean gone() {
        return unregistered.getAsBoolean();
    }

    @Override
    public void close() {
        // the directory keeps the service in use for as long as it is registered: nothing to give back
    }
}
