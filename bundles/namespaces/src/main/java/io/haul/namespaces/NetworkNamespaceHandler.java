package io.haul.namespaces;

import io.haul.api.HaulException;
import io.haul.api.namespace.HaulNamespace;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceInstance;
import io.haul.api.namespace.NamespaceInstance.Place;
import io.haul.api.namespace.NamespaceKind;
import io.haul.api.namespace.NamespaceTree;
import io.haul.host.proc.Namespaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * The net namespace: CRIU recreates a tree's own network namespace with its loopback device, and nested ones
 * with what links them to each other inside the tree. An interface that links the container's own namespace to
 * the host (a veth, a macvlan) needs the destination's side set up by someone: that is a network plugin's job,
 * not yet written, so such a tree is refused before freezing.
 */
@Component(service = NamespaceHandler.class)
@HaulNamespace("net")
public final class NetworkNamespaceHandler extends KindHandler {

    private final Path proc;

    public NetworkNamespaceHandler() {
        this(Namespaces.system(), Path.of("/proc"));
    }

    NetworkNamespaceHandler(Namespaces namespaces, Path proc) {
        super(NamespaceKind.NET, namespaces);
        this.proc = proc;
    }

    @Override
    boolean criuMovesNested() {
        return true;
    }

    @Override
    Map<String, String> facts(NamespaceTree tree) throws HaulException {
        List<NamespaceInstance> instances = tree.of(NamespaceKind.NET);
        if (instances.isEmpty()) {
            return Map.of();
        }
        NamespaceInstance top = instances.getFirst();
        List<String> interfaces = interfaces(top.firstPid());
        List<String> linked = interfaces.stream().filter(name -> !name.equals("lo")).toList();
        if (top.place() == Place.CONTAINER && !linked.isEmpty()) {
            throw new HaulException("namespace.unsupported", "the tree's network namespace has interfaces "
                    + linked + " besides lo; moving those needs a network plugin, which Haul does not have yet");
        }
        return Map.of("interfaces", String.join(",", interfaces));
    }

    /** The interface names of a task's network namespace, from {@code /proc/PID/net/dev}. */
    private List<String> interfaces(long pid) throws HaulException {
        try {
            return Files.readAllLines(proc.resolve(pid + "/net/dev")).stream()
                    .skip(2) // two header lines
                    .map(line -> line.substring(0, line.indexOf(':')).strip())
                    .toList();
        } catch (IOException | IndexOutOfBoundsException e) {
            throw new HaulException("container.not-found", "cannot list the network interfaces of pid " + pid, e);
        }
    }
}
