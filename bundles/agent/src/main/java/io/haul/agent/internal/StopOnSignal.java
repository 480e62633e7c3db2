package io.haul.agent.internal;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the framework when the JVM is asked to end (SIGTERM from a service manager, Ctrl-C), so every
 * component deactivates: the control socket is removed, and later, migrations in flight are handed to
 * their rollback. The launcher alone would let the JVM die under the running bundles.
 */
@Component
public final class StopOnSignal {

    private static final Logger LOG = LoggerFactory.getLogger(StopOnSignal.class);
    private static final long STOP_TIMEOUT_MS = 20_000;

    private final Thread hook;

    @Activate
    public StopOnSignal(BundleContext context) {
        Framework framework = (Framework) context.getBundle(0);
        this.hook = new Thread(() -> stop(framework), "haul-stop-on-signal");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Deactivate
    void deactivate() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running: it is what stopped us
        }
    }

    private static void stop(Framework framework) {
        LOG.info("stopping the agent (signal)");
        try {
            framework.stop();
            FrameworkEvent event = framework.waitForStop(STOP_TIMEOUT_MS);
            if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                System.err.println("haul: the agent did not stop within " + STOP_TIMEOUT_MS + " ms");
            }
        } catch (BundleException e) {
            System.err.println("haul: stopping the agent failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
