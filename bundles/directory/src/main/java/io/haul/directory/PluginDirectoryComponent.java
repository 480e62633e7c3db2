package io.haul.directory;

import io.haul.api.Plugin;
import io.haul.api.backend.ContainerBackend;
import io.haul.api.namespace.NamespaceHandler;
import io.haul.api.plugin.PluginDescription;
import io.haul.api.plugin.PluginDirectory;
import io.haul.api.plugin.PluginKind;
import io.haul.api.plugin.PluginLease;
import io.haul.api.strategy.PreDumpStrategy;
import io.haul.api.transport.Transport;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PluginDirectory}: binds every plugin service of the four kinds as it is registered (a dynamic,
 * multiple, greedy reference per kind, keyed by its name property, as Sling's {@code JobConsumerManager} binds
 * job consumers) and forgets it when it goes. Holding the services keeps DS components of plugins active while
 * they are registered, so none needs {@code immediate = true} to keep state between a migration's phases.
 */
@Component(service = PluginDirectory.class, immediate = true)
public final class PluginDirectoryComponent implements PluginDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(PluginDirectoryComponent.class);

    private final Plugins plugins = new Plugins();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeBackend")
    void addBackend(ServiceReference<ContainerBackend> reference, ContainerBackend backend) {
        add(PluginKind.BACKEND, reference, backend);
    }

    void removeBackend(ServiceReference<ContainerBackend> reference) {
        remove(PluginKind.BACKEND, reference);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeStrategy")
    void addStrategy(ServiceReference<PreDumpStrategy> reference, PreDumpStrategy strategy) {
        add(PluginKind.STRATEGY, reference, strategy);
    }

    void removeStrategy(ServiceReference<PreDumpStrategy> reference) {
        remove(PluginKind.STRATEGY, reference);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeHandler")
    void addHandler(ServiceReference<NamespaceHandler> reference, NamespaceHandler handler) {
        add(PluginKind.HANDLER, reference, handler);
    }

    void removeHandler(ServiceReference<NamespaceHandler> reference) {
        remove(PluginKind.HANDLER, reference);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeTransport")
    void addTransport(ServiceReference<Transport> reference, Transport transport) {
        add(PluginKind.TRANSPORT, reference, transport);
    }

    void removeTransport(ServiceReference<Transport> reference) {
        remove(PluginKind.TRANSPORT, reference);
    }

    @Override
    public <T extends Plugin> Optional<PluginLease<T>> lease(PluginKind<T> kind, String name) {
        return plugins.lease(kind, name);
    }

    @Override
    public List<String> names(PluginKind<?> kind) {
        return plugins.names(kind);
    }

    @Override
    public List<String> usableNames(PluginKind<?> kind) {
        return plugins.usableNames(kind);
    }

    @Override
    public List<PluginDescription> describe(PluginKind<?> kind) {
        return plugins.describe(kind);
    }

    private void add(PluginKind<?> kind, ServiceReference<?> reference, Plugin service) {
        Object name = reference.getProperty(kind.nameProperty());
        if (name == null) {
            LOG.warn("a {} service of {} has no {} property: it cannot be chosen, and is left out", kind,
                    bundleName(reference), kind.nameProperty());
            return;
        }
        Bundle bundle = reference.getBundle();
        plugins.add(kind, new Registered(String.valueOf(name), service, bundleName(reference),
                bundle == null ? "" : bundle.getVersion().toString(), serviceId(reference)));
        LOG.debug("{} '{}' of {} registered", kind, name, bundleName(reference));
    }

    private void remove(PluginKind<?> kind, ServiceReference<?> reference) {
        plugins.remove(kind, serviceId(reference));
        LOG.debug("{} '{}' of {} went away", kind, reference.getProperty(kind.nameProperty()), bundleName(reference));
    }

    private static long serviceId(ServiceReference<?> reference) {
        return (Long) reference.getProperty(Constants.SERVICE_ID);
    }

    private static String bundleName(ServiceReference<?> reference) {
        Bundle bundle = reference.getBundle();
        return bundle == null ? "(gone)" : bundle.getSymbolicName();
    }
}
