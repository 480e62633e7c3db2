package io.haul.namespaces;

import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceKind;
import java.nio.file.Path;
import org.osgi.service.component.annotations.Component;

/** The uts namespace: CRIU dumps it with the tree and recreates it on restore. */
@Component(service = NamespaceHandler.class, property = NamespaceHandler.KIND + "=uts")
public final class UtsNamespaceHandler extends CriuMovedNamespace {

    public UtsNamespaceHandler() {
        super(NamespaceKind.UTS, Path.of("/proc"));
    }
}
