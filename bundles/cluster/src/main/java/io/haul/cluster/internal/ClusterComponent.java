package io.haul.cluster.internal;

import com.hazelcast.core.HazelcastInstance;
import io.haul.agent.AgentSettings;
import io.haul.cluster.AgentRegistry;
import io.haul.cluster.Cluster;
import io.haul.cluster.MigrationStore;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * This agent's cluster membership: starts the Hazelcast member on activation and stops it on deactivation.
 * Immediate, so the agent joins its cluster when it starts rather than at the first use.
 *
 * <p>No {@code @Modified}: a new {@code haul.cluster} configuration restarts the member. The configuration
 * file may well arrive after the first activation (FileInstall reads {@code etc/} in its own time), and every
 * setting is one the member starts with.
 *
 * <p>The member is also registered as a {@link HazelcastInstance} service (property
 * {@value #CLUSTER_PROPERTY} = the cluster name), for the services that share it: the Vert.x clustered event
 * bus runs on this same instance.
 */
@Component(service = Cluster.class, configurationPid = ClusterConfiguration.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = ClusterConfiguration.class)
public final class ClusterComponent implements Cluster {

    /** Service property of the registered {@link HazelcastInstance}. */
    public static final String CLUSTER_PROPERTY = "haul.cluster";

    private final HazelcastCluster cluster;
    private final ServiceRegistration<HazelcastInstance> instanceRegistration;

    @Activate
    public ClusterComponent(ClusterConfiguration config, Map<String, Object> properties,
            @Reference AgentSettings settings, BundleContext context) {
        ClusterSettings clusterSettings = ClusterSettings.of(config, properties);
        this.cluster = HazelcastCluster.start(clusterSettings, settings::name, ClusterComponent.class.getClassLoader());
        Dictionary<String, Object> serviceProperties = new Hashtable<>();
        serviceProperties.put(CLUSTER_PROPERTY, clusterSettings.clusterName());
        this.instanceRegistration = context.registerService(HazelcastInstance.class, cluster.hazelcast(),
                serviceProperties);
    }

    @Deactivate
    void deactivate() {
        try {
            instanceRegistration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping and the framework unregistered it
        } finally {
            cluster.close();
        }
    }

    @Override
    public String localAgent() {
        return cluster.localAgent();
    }

    @Override
    public AgentRegistry agents() {
        return cluster.agents();
    }

    @Override
    public MigrationStore migrations() {
        return cluster.migrations();
    }
}
