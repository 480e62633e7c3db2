package io.haul.namespaces;

import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceKind;
import java.nio.file.Path;
import org.osgi.service.component.annotations.Component;

/** The mnt namespace: CRIU dumps it with the tree and recreates it on restore. */
@Component(service = NamespaceHandler.class, property = NamespaceHandler.KIND + "=mnt")
public final class MountNamespaceHandler extends CriuMovedNamespace {

    public MountNamespaceHandler() {
        super(NamespaceKind.MNT, Path.of("/proc"));
    }
}
