package io.haul.api.backend;

/**
 * What the source's checks found: the container as it is now (it may have changed since it was listed) and
 * what the destination's backend needs to take it.
 */
public record SourcePlan(ContainerInfo container, ContainerManifest manifest) {
}
