package io.haul.namespaces;

import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceKind;
import java.nio.file.Path;
import org.osgi.service.component.annotations.Component;

/** The ipc namespace: CRIU dumps it with the tree and recreates it on restore. */
@Component(service = NamespaceHandler.class, property = NamespaceHandler.KIND + "=ipc")
public final class IpcNamespaceHandler extends CriuMovedNamespace {

    public IpcNamespaceHandler() {
        super(NamespaceKind.IPC, Path.of("/proc"));
    }
}
