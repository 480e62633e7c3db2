package io.haul.namespaces;

import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceKind;
import java.nio.file.Path;
import org.osgi.service.component.annotations.Component;

/** The pid namespace: CRIU dumps it with the tree and recreates it on restore. */
@Component(service = NamespaceHandler.class, property = NamespaceHandler.KIND + "=pid")
public final class PidNamespaceHandler extends CriuMovedNamespace {

    public PidNamespaceHandler() {
        super(NamespaceKind.PID, Path.of("/proc"));
    }
}
