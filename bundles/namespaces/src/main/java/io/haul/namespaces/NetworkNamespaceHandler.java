package io.haul.namespaces;

import io.haul.api.HaulException;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.namespace.NamespaceKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * The net namespace: CRIU recreates a tree's own network namespace with its loopback device, but an
 * interface that links it to the host (a veth, a macvlan) needs the destination's side set up by
 * someone: that is a network plugin's job, not yet written, so such a tree is refused before freezing.
 */
@Component(service = NamespaceHandler.class, property = NamespaceHandler.KIND + "=net")
public final class NetworkNamespaceHandler extends CriuMovedNamespace {

    public NetworkNamespaceHandler() {
        this(Path.of("/proc"));
    }

    NetworkNamespaceHandler(Path proc) {
        super(NamespaceKind.NET, proc);
    }

    @Override
    Map<String, String> facts(long rootPid) throws HaulException {
        List<String> interfaces = interfaces(rootPid);
        List<String> linked = interfaces.stream().filter(name -> !name.equals("lo")).toList();
        if (!linked.isEmpty() && ownsNetwork(rootPid)) {
            throw new HaulException("namespace.unsupported", "the tree's network namespace has interfaces "
                    + linked + " besides lo; moving those needs a network plugin, which Haul does not have yet");
        }
        return Map.of("interfaces", String.join(",", interfaces));
    }

    private boolean ownsNetwork(long rootPid) throws HaulException {
        try {
            return !Files.readSymbolicLink(proc().resolve(rootPid + "/ns/net"))
                    .equals(Files.readSymbolicLink(proc().resolve("self/ns/net")));
        } catch (IOException e) {
            throw new HaulException("container.not-found", "cannot read the net namespace of pid " + rootPid, e);
        }
    }

    /** The interface names of the tree's network namespace, from {@code /proc/PID/net/dev}. */
    private List<String> interfaces(long rootPid) throws HaulException {
        try {
            return Files.readAllLines(proc().resolve(rootPid + "/net/dev")).stream()
                    .skip(2) // two header lines
                    .map(line -> line.substring(0, line.indexOf(':')).strip())
                    .toList();
        } catch (IOException | IndexOutOfBoundsException e) {
            throw new HaulException("container.not-found", "cannot list the network interfaces of pid " + rootPid, e);
        }
    }
}
