package io.haul.cluster.internal;

import com.hazelcast.core.HazelcastInstance;
import io.haul.agent.AgentSettings;
import io.haul.cluster.AgentRegistry;
import io.haul.cluster.Cluster;
import io.haul.cluster.MigrationStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger LOG = LoggerFactory.getLogger(ClusterComponent.class);

    private final HazelcastCluster cluster;
    private final ServiceRegistration<HazelcastInstance> instanceRegistration;

    @Activate
    public ClusterComponent(ClusterConfiguration config, Map<String, Object> properties,
            @Reference AgentSettings settings, BundleContext context) {
        ClusterSettings clusterSettings = ClusterSettings.of(config, properties);
        this.cluster = HazelcastCluster.start(clusterSettings, settings::name, ClusterComponent.class.getClassLoader(),
                signer(config, settings.stateDir()), settings.stateDir().resolve("cluster"));
        Dictionary<String, Object> serviceProperties = new Hashtable<>();
        serviceProperties.put(CLUSTER_PROPERTY, clusterSettings.clusterName());
        this.instanceRegistration = context.registerService(HazelcastInstance.class, cluster.hazelcast(),
                serviceProperties);
    }

    /**
     * The signer with this agent's certificates (the TLS transport's files unless configured otherwise), or the
     * unsigned one when the agent has none; certificates that are there but do not load stop the start.
     */
    static RecordSigner signer(ClusterConfiguration config, Path stateDir) {
        Path tls = stateDir.resolve("tls");
        Path ca = path(config.caCert(), tls.resolve("ca.pem"));
        Path certificate = path(config.certificate(), tls.resolve("agent.pem"));
        Path key = path(config.privateKey(), tls.resolve("agent.key"));
        if (!Files.exists(ca) && !Files.exists(certificate) && !Files.exists(key)) {
            LOG.warn("no certificates in {} (nor configured): this agent writes its migration records unsigned and "
                    + "trusts unsigned ones, so anyone who reaches its cluster member can steer its migrations", tls);
            return RecordSigner.unsigned();
        }
        try {
            RecordSigner signer = RecordSigner.load(ca, certificate, key);
            LOG.info("migration records are signed as {} and checked against the CA of {}", signer.signerName(), ca);
            return signer;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the certificates that sign the migration records (" + ca
                    + ", " + certificate + ", " + key + "): " + e.getMessage(), e);
        }
    }

    private static Path path(String configured, Path fallback) {
        return configured == null || configured.isBlank() ? fallback : Path.of(configured.strip());
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
