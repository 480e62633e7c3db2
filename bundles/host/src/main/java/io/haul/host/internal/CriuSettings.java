package io.haul.host.internal;

/**
 * The part of the {@code haul.agent} configuration this bundle reads (a DS component property type).
 * Other bundles read other properties of the same PID.
 */
public @interface CriuSettings {

    /** The CRIU executable to use; empty to look in Haul's prefix, then on PATH. */
    String criuPath() default "";
}
