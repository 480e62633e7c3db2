package io.haul.namespaces;

import io.haul.api.namespace.HaulNamespace;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceKind;
import io.haul.host.proc.Namespaces;
import org.osgi.service.component.annotations.Component;

/**
 * The uts namespace: CRIU moves the container's own; nested ones it refuses, and so does this handler, in the
 * checks, before anything freezes.
 */
@Component(service = NamespaceHandler.class)
@HaulNamespace("uts")
public final class UtsNamespaceHandler extends KindHandler {

    public UtsNamespaceHandler() {
        this(Namespaces.system());
    }

    UtsNamespaceHandler(Namespaces namespaces) {
        super(NamespaceKind.UTS, namespaces);
    }

    @Override
    boolean criuMovesNested() {
        return false;
    }

    @Override
    String wayOut() {
        return " (a service started with systemd's ProtectHostname= makes one: run it without that setting, and the"
                + " container can move)";
    }
}
