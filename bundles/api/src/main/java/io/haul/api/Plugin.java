package io.haul.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What every kind of Haul plugin (backend, pre-dump strategy, namespace handler, transport) answers: whether it
 * can do its work on this host now, and if not, why. A plugin registered but unusable is listed with its reason
 * and never chosen.
 */
@ConsumerType
public interface Plugin {

    Usability usability();
}
