package io.haul.host;

/** Where the CRIU executable came from, in the order Haul looks. */
public enum CriuSource {
    /** The {@code criuPath} property of the {@code haul.agent} configuration. */
    CONFIGURATION,
    /** {@code <prefix>/bin/criu} under Haul's own CRIU prefix ({@code haul.criu.prefix}, {@code HAUL_CRIU_PREFIX}, {@code /opt/haul/criu}). */
    HAUL_PREFIX,
    /** {@code criu} on {@code PATH} (or in /usr/sbin, /sbin). */
    PATH,
    /** None found, or the configured one is not there. */
    NOT_FOUND
}
