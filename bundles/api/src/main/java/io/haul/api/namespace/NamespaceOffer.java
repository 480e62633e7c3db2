package io.haul.api.namespace;

import java.util.Map;
import java.util.Optional;

/**
 * What a destination can rebuild of one namespace kind, as it said in the handshake's capabilities: whether its kernel
 * has the kind, what its CRIU says of the features that kind needs ({@code criu check --feature NAME}), and the
 * handler's own limits (user namespaces: {@link UserNamespaceLimits}). The source judges its plan by it before it
 * sends the Prepare; the destination's own checks of the Prepare stay, for a source that does not judge.
 *
 * @param kind           the kind
 * @param kernelHasKind  whether the destination's kernel has this kind of namespace
 * @param criuFeatures   each CRIU feature the kind needs, and whether the destination's CRIU has it
 * @param userNamespaces for user namespaces, the destination's limits
 */
public record NamespaceOffer(NamespaceKind kind, boolean kernelHasKind, Map<String, Boolean> criuFeatures,
        Optional<UserNamespaceLimits> userNamespaces) {

    public NamespaceOffer {
        criuFeatures = Map.copyOf(criuFeatures);
        userNamespaces = userNamespaces == null ? Optional.empty() : userNamespaces;
    }
}
