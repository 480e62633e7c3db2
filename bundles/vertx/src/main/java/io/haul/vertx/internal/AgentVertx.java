package io.haul.vertx.internal;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The agent's one Vert.x instance, registered as a {@link Vertx} service for every bundle that needs one (the TLS
 * transport, the Docker backend's client, the event bus): one set of event-loop threads, not one per user. Two
 * event loops, as two cores here; blocking work stays off them (the users run it on virtual threads).
 */
@Component(immediate = true)
public final class AgentVertx {

    /** The JDK's logger: slf4j is only an optional import of this wrapper bundle. */
    private static final System.Logger LOG = System.getLogger(AgentVertx.class.getName());

    private final Vertx vertx;
    private final ServiceRegistration<Vertx> registration;

    @Activate
    public AgentVertx(BundleContext context) {
        this.vertx = create();
        this.registration = context.registerService(Vertx.class, vertx, null);
    }

    /**
     * Vert.x finds its service providers through the thread's context class loader first; in OSGi that is
     * whatever the activating thread had, so it is this bundle's while the instance is made.
     */
    private static Vertx create() {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(Vertx.class.getClassLoader());
        try {
            return Vertx.vertx(new VertxOptions()
                    .setEventLoopPoolSize(2)
                    .setWorkerPoolSize(4)
                    .setInternalBlockingPoolSize(2)
                    .setFileSystemOptions(new FileSystemOptions()
                            .setClassPathResolvingEnabled(false).setFileCachingEnabled(false)));
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Deactivate
    void close() {
        registration.unregister();
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "the agent's Vert.x did not close cleanly: {0}", e.toString());
        }
    }
}
