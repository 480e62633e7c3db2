package io.haul.shell;

/**
 * A plugin registered now.
 *
 * @param kind    which SPI it implements
 * @param name    its name (the service property of its kind)
 * @param bundle  the symbolic name of the bundle that registered it
 * @param version that bundle's version
 * @param usable  whether it can work on this host
 * @param reason  if not, why
 */
public record PluginInfo(PluginKind kind, String name, String bundle, String version, boolean usable, String reason) {
}
