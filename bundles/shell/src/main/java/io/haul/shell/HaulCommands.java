package io.haul.shell;

import io.haul.api.ContainerRef;
import io.haul.api.HaulException;
import io.haul.api.backend.ContainerBackend;
import io.haul.api.backend.ContainerInfo;
import io.haul.api.namespace.ContainerNamespaces;
import io.haul.api.plugin.PluginDirectory;
import io.haul.api.plugin.PluginKind;
import io.haul.api.plugin.PluginLease;
import io.haul.host.HostProbe;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code haul:} commands about this host and its plugins. Each returns a DTO that
 * {@link HaulConverter} formats for people, or its JSON with {@code --json}.
 */
@Component(service = HaulCommands.class, property = {
    "osgi.command.scope=haul",
    "osgi.command.function=check",
    "osgi.command.function=backends",
    "osgi.command.function=strategies",
    "osgi.command.function=handlers",
    "osgi.command.function=transports",
    "osgi.command.function=ps",
    "osgi.command.function=namespaces"
})
public final class HaulCommands {

    private static final String JSON_HELP = "print JSON for scripts instead of a table";

    private final HostProbe host;
    private final PluginDirectory plugins;
    private final ContainerNamespaces namespaces;

    @Activate
    public HaulCommands(@Reference HostProbe host, @Reference PluginDirectory plugins,
            @Reference ContainerNamespaces namespaces) {
        this.host = host;
        this.plugins = plugins;
        this.namespaces = namespaces;
    }

    @Descriptor("a container's namespace tree: every instance its tasks use, per kind, and what a migration does with"
            + " each (moved by CRIU, moved with Haul's help, refused and why)")
    public Object namespaces(@Descriptor(JSON_HELP) @Parameter(names = {"-j", "--json"}, presentValue = "true",
            absentValue = "false") boolean json,
            @Descriptor("the container, as haul:ps names it (process:4242, docker:web)") String container)
            throws HaulException {
        ContainerRef ref;
        try {
            ref = ContainerRef.parse(container);
        } catch (IllegalArgumentException e) {
            throw new HaulException("container.bad-id", e.getMessage());
        }
        return result(namespaces.report(ref), json);
    }

    @Descriptor("where CRIU is, its version and check, and the kernel features migrations depend on, probed now")
    public Object check(@Descriptor(JSON_HELP) @Parameter(names = {"-j", "--json"}, presentValue = "true",
            absentValue = "false") boolean json) {
        return result(host.probe(), json);
    }

    @Descriptor("the container backends registered now, and whether each is usable here")
    public Object backends(@Descriptor(JSON_HELP) @Parameter(names = {"-j", "--json"}, presentValue = "true",
            absentValue = "false") boolean json) {
        return result(list(PluginKind.BACKEND), json);
    }

    @Descriptor("the pre-dump strategies registered now, and whether each is usable here")
    public Object strategies(@Descriptor(JSON_HELP) @Parameter(names = {"-j", "--json"}, presentValue = "true",
            absentValue = "false") boolean json) {
        return result(list(PluginKind.STRATEGY), json);
    }

    @Descriptor("the namespace handlers registered now, and whether each is usable here")
    public Object handlers(@Descriptor(JSON_HELP) @Parameter(names = {"-j", "--json"}, presentValue = "true",
            absentValue = "false") boolean json) {
        return result(list(PluginKind.HANDLER), json);
    }

    @Descriptor("the transports registered now, and whether each is usable here")
    public Object transports(@Descriptor(JSON_HELP) @Parameter(names = {"-j", "--json"}, presentValue = "true",
            absentValue = "false") boolean json) {
        return result(list(PluginKind.TRANSPORT), json);
    }

    @Descriptor("what every backend can migrate here")
    public Object ps(@Descriptor(JSON_HELP) @Parameter(names = {"-j", "--json"}, presentValue = "true",
            absentValue = "false") boolean json) throws HaulException {
        return result(containers(null), json);
    }

    @Descriptor("what one backend can migrate here")
    public Object ps(@Descriptor(JSON_HELP) @Parameter(names = {"-j", "--json"}, presentValue = "true",
            absentValue = "false") boolean json,
            @Descriptor("the backend's name, as haul:backends lists it") String backend) throws HaulException {
        return result(containers(backend), json);
    }

    private PluginList list(PluginKind<?> kind) {
        return new PluginList(kind.name(), kind.plural(), plugins.describe(kind));
    }

    private ContainerList containers(String backendName) throws HaulException {
        List<String> names = backendName == null ? plugins.names(PluginKind.BACKEND)
                : plugins.names(PluginKind.BACKEND).stream().filter(backendName::equals).toList();
        if (names.isEmpty()) {
            throw backendName == null
                    ? new HaulException("backend.none", "no container backend is registered; haul:backends lists them")
                    : new HaulException("backend.not-found",
                            "no backend named '" + backendName + "' is registered; haul:backends lists them");
        }
        List<ContainerInfo> found = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String name : names) {
            Optional<PluginLease<ContainerBackend>> lease = plugins.lease(PluginKind.BACKEND, name);
            if (lease.isEmpty()) {
                continue; // went away since it was named
            }
            try (PluginLease<ContainerBackend> backend = lease.get()) {
                if (!backend.service().usability().usable()) {
                    problems.add(name + ": not usable here: " + backend.service().usability().reason());
                    continue;
                }
                backend.service().list().forEach(container -> found.add(namespaces.judged(container)));
            } catch (HaulException | RuntimeException e) {
                problems.add(name + ": could not list: " + e.getMessage());
            }
        }
        if (backendName != null && found.isEmpty() && !problems.isEmpty()) {
            throw new HaulException("backend.unusable", problems.getFirst());
        }
        found.sort(Comparator.comparing((ContainerInfo c) -> c.ref().backend()).thenComparing(ContainerInfo::rootPid));
        return new ContainerList(found, problems);
    }

    private static Object result(Object dto, boolean json) {
        return json ? new JsonView(dto) : dto;
    }
}
