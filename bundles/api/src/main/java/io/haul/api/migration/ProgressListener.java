package io.haul.api.migration;

import org.osgi.annotation.versioning.ConsumerType;

/** Receives a migration's progress events, in order, on a thread of the service's. */
@ConsumerType
@FunctionalInterface
public interface ProgressListener {

    void progress(ProgressEvent event);
}
