package io.haul.namespaces;

import io.haul.api.namespace.HaulNamespace;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceKind;
import io.haul.host.proc.Namespaces;
import org.osgi.service.component.annotations.Component;

/**
 * The cgroup namespace: CRIU moves the container's own; nested ones it refuses, and so does this handler, in the
 * checks, before anything freezes.
 */
@Component(service = NamespaceHandler.class)
@HaulNamespace("cgroup")
public final class CgroupNamespaceHandler extends KindHandler {

    public CgroupNamespaceHandler() {
        this(Namespaces.system());
    }

    CgroupNamespaceHandler(Namespaces namespaces) {
        super(NamespaceKind.CGROUP, namespaces);
    }

    @Override
    boolean criuMovesNested() {
        return false;
    }
}
