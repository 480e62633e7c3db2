package io.haul.namespaces;

import io.haul.api.HaulException;
import io.haul.api.criu.CriuOptions;
import io.haul.api.namespace.HaulNamespace;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespacePlan;
import io.haul.host.proc.Namespaces;
import java.nio.file.Path;
import org.osgi.service.component.annotations.Component;

/**
 * The mnt namespace: CRIU dumps the container's own and nested ones with the tree and recreates them. A tree
 * with a mount namespace of its own restores only with a root given to CRIU ("mnt: BUG at criu/mount.c:48"
 * without one, CRIU 4.2.1): this handler offers the host's, which a backend that restores into a root file
 * system of its own overrides.
 */
@Component(service = NamespaceHandler.class)
@HaulNamespace("mnt")
public final class MountNamespaceHandler extends KindHandler {

    public MountNamespaceHandler() {
        this(Namespaces.system());
    }

    MountNamespaceHandler(Namespaces namespaces) {
        super(NamespaceKind.MNT, namespaces);
    }

    @Override
    boolean criuMovesNested() {
        return true;
    }

    @Override
    public CriuOptions prepare(NamespacePlan plan, Path migrationDir) throws HaulException {
        CriuOptions options = super.prepare(plan, migrationDir);
        return plan.own() ? options.withRoot("/") : options;
    }
}
