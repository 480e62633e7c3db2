package io.haul.api.strategy;

import io.haul.api.HaulException;
import io.haul.api.Plugin;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A way to copy memory while the container runs ({@code vmread}, {@code criu}, {@code none}). Registered
 * with the property {@link #NAME} (write {@code @HaulStrategy("name")}); chosen per migration by name or by
 * configuration.
 */
@ConsumerType
public interface PreDumpStrategy extends Plugin {

    /** Service property: the strategy's name. */
    String NAME = "haul.strategy";

    PreCopy start(PreCopyContext context) throws HaulException;
}
