package io.haul.namespaces;

import io.haul.api.namespace.HaulNamespace;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceKind;
import io.haul.host.proc.Namespaces;
import org.osgi.service.component.annotations.Component;

/**
 * The pid namespace: CRIU moves the container's own; nested ones it refuses, and so does this handler, in the
 * checks, before anything freezes.
 */
@Component(service = NamespaceHandler.class)
@HaulNamespace("pid")
public final class PidNamespaceHandler extends KindHandler {

    public PidNamespaceHandler() {
        this(Namespaces.system());
    }

    PidNamespaceHandler(Namespaces namespaces) {
        super(NamespaceKind.PID, namespaces);
    }

    @Override
    boolean criuMovesNested() {
        return false;
    }
}
