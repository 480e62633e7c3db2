package io.haul.fuzz;

import java.util.List;

/**
 * A module's decoders, found by {@code ./haul fuzz} through {@link java.util.ServiceLoader}: each module with
 * decoders lists its implementation in its test resources, META-INF/services/io.haul.fuzz.FuzzTargets.
 */
public interface FuzzTargets {

    List<FuzzTarget> targets();
}
