package io.haul.api.plugin;

/**
 * A plugin as {@code haul:backends} (and the other listings) shows it.
 *
 * @param kind    "BACKEND", "STRATEGY", "HANDLER" or "TRANSPORT" ({@link PluginKind#name()})
 * @param name    the name it is registered under
 * @param bundle  the symbolic name of the bundle that registered it
 * @param version that bundle's version
 * @param usable  whether it can work on this host now
 * @param reason  when not usable, why
 */
public record PluginDescription(String kind, String name, String bundle, String version, boolean usable,
        String reason) {
}
