package io.haul.namespaces;

import io.haul.api.namespace.HaulNamespace;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceKind;
import io.haul.host.proc.Namespaces;
import org.osgi.service.component.annotations.Component;

/**
 * The time namespace: CRIU moves the container's own; nested ones it refuses, and so does this handler, in the
 * checks, before anything freezes.
 */
@Component(service = NamespaceHandler.class)
@HaulNamespace("time")
public final class TimeNamespaceHandler extends KindHandler {

    public TimeNamespaceHandler() {
        this(Namespaces.system());
    }

    TimeNamespaceHandler(Namespaces namespaces) {
        super(NamespaceKind.TIME, namespaces);
    }

    @Override
    boolean criuMovesNested() {
        return false;
    }
}
