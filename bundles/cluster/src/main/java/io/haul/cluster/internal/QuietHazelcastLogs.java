package io.haul.cluster.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggerContextListener;
import org.slf4j.LoggerFactory;

/**
 * Keeps Hazelcast's log at WARN: it logs through SLF4J ({@code hazelcast.logging.type=slf4j}), and its INFO
 * lines (banner, member lists, partition tables, health monitor) would drown the agent's. Hazelcast has no
 * level of its own for SLF4J, so the level is set on the backend when that is logback (the agent's; the
 * import is optional, and another backend keeps its own configuration). The agent's logging configurator
 * resets logback when it activates, which may be after this bundle's member started: a reset-resistant
 * listener sets the level again after each reset. A level configured for {@code com.hazelcast} after a
 * reset wins.
 */
final class QuietHazelcastLogs {

    static final String HAZELCAST_LOGGER = "com.hazelcast";

    private static final Object LOCK = new Object();
    private static Object listener; // a Logback.WarnAfterReset, once installed

    private QuietHazelcastLogs() {
    }

    static void apply() {
        // Static loggers Hazelcast creates before an instance reads its configuration follow the system
        // property, else they would write through java.util.logging at INFO.
        if (System.getProperty("hazelcast.logging.type") == null) {
            System.setProperty("hazelcast.logging.type", "slf4j");
        }
        synchronized (LOCK) {
            try {
                if (listener == null) {
                    listener = Logback.install();
                } else {
                    Logback.warnUnlessSet();
                }
            } catch (LinkageError noLogback) {
                listener = "none";
            }
        }
    }

    /** Separate, so that the logback classes are touched only when logback is there. */
    private static final class Logback {

        static Object install() {
            if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
                return "none";
            }
            warnUnlessSet(context);
            WarnAfterReset listener = new WarnAfterReset(context);
            context.addListener(listener);
            return listener;
        }

        static void warnUnlessSet() {
            if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
                warnUnlessSet(context);
            }
        }

        static void warnUnlessSet(LoggerContext context) {
            ch.qos.logback.classic.Logger logger = context.getLogger(HAZELCAST_LOGGER);
            if (logger.getLevel() == null) {
                logger.setLevel(Level.WARN);
            }
        }
    }

    private record WarnAfterReset(LoggerContext context) implements LoggerContextListener {

        @Override
        public boolean isResetResistant() {
            return true;
        }

        @Override
        public void onReset(LoggerContext resetContext) {
            Logback.warnUnlessSet(resetContext);
        }

        @Override
        public void onStart(LoggerContext startedContext) {
        }

        @Override
        public void onStop(LoggerContext stoppedContext) {
        }

        @Override
        public void onLevelChange(ch.qos.logback.classic.Logger logger, Level level) {
        }
    }
}
