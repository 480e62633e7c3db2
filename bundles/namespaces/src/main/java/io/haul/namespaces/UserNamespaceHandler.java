package io.haul.namespaces;

import io.haul.api.HaulException;
import io.haul.api.namespace.HaulNamespace;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceInstance;
import io.haul.api.namespace.NamespaceInstance.Place;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespaceTree;
import io.haul.host.proc.Namespaces;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/**
 * The user namespace. A nested one (a task that ran {@code unshare -U}, as rootless tools inside a container do)
 * CRIU refuses ("Can't dump nested user namespace"), and so does this handler, in the checks. A container's own
 * CRIU moves upstream, with its uid and gid maps, but not here: CRIU 4.2.1 on this machine's kernel fails a tree in
 * its own user namespace in the frozen window either way (with the host's mount namespace its dump stops at "can't
 * dump unprivileged task whose /proc doesn't belong to it"; with one of its own the dump passes and the restore
 * stops at "Unable to mount /proc/self/fd/8: Invalid argument"), so this handler refuses it too, before anything
 * freezes, saying so.
 */
@Component(service = NamespaceHandler.class)
@HaulNamespace("user")
public final class UserNamespaceHandler extends KindHandler {

    public UserNamespaceHandler() {
        this(Namespaces.system());
    }

    UserNamespaceHandler(Namespaces namespaces) {
        super(NamespaceKind.USER, namespaces);
    }

    @Override
    boolean criuMovesNested() {
        return false;
    }

    @Override
    Optional<HaulException> refusal(NamespaceInstance instance, NamespaceTree tree) {
        if (instance.place() == Place.CONTAINER) {
            return Optional.of(refusal(instance, "the container's own user namespace: CRIU 4.2.1 fails such trees"
                    + " on this kernel once they are frozen (its dump cannot open their /proc, or its restore cannot"
                    + " mount inside the namespace), so Haul does not move them yet; run the container in the host's"
                    + " user namespace"));
        }
        return super.refusal(instance, tree);
    }

    @Override
    String wayOut() {
        return " (CRIU needs every namespace of the tree to belong to its root's user namespace; run that task"
                + " without a user namespace of its own)";
    }
}
