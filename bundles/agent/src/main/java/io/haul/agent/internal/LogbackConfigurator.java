package io.haul.agent.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import io.haul.agent.AgentSettings;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.LoggerFactory;

/**
 * Points SLF4J's output (logback) at the console and at a rolling log file in the state folder, at the
 * configured level. Done in code so that the level follows ConfigAdmin without a logback.xml to edit.
 */
@Component(configurationPid = AgentConfiguration.PID)
public final class LogbackConfigurator {

    private static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n";

    private final LoggerContext context;

    @Activate
    public LogbackConfigurator(AgentConfiguration config, @Reference AgentSettings settings) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext loggerContext)) {
            // SLF4J settled on another provider (an embedding test harness's): leave its logging alone
            System.err.println("haul: SLF4J is bound to " + LoggerFactory.getILoggerFactory().getClass().getName()
                    + ", not logback: the agent's log level and log file do not apply");
            this.context = null;
            return;
        }
        this.context = loggerContext;
        context.reset();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(config.logLevel(), Level.INFO));
        root.addAppender(console());
        root.addAppender(file(settings));
        context.getLogger("com.hazelcast").setLevel(Level.WARN); // its INFO is a page per member event
        LoggerFactory.getLogger(LogbackConfigurator.class)
                .info("agent {} logs at {} to {}", settings.name(), root.getLevel(), settings.logFile());
    }

    /** A new level applies at once, without touching the appenders (no line is lost in between). */
    @Modified
    void modified(AgentConfiguration config) {
        if (context == null) {
            return;
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        Level level = Level.toLevel(config.logLevel(), Level.INFO);
        if (!level.equals(root.getLevel())) {
            root.setLevel(level);
            LoggerFactory.getLogger(LogbackConfigurator.class).info("log level now {}", level);
        }
    }

    @Deactivate
    void deactivate() {
        if (context == null) {
            return;
        }
        context.getLogger(Logger.ROOT_LOGGER_NAME).detachAndStopAllAppenders();
    }

    /**
     * The process's own stderr, not System.err: Gogo swaps System.err per command thread, and log lines
     * must not land in the output a command sends to its client.
     */
    private OutputStreamAppender<ILoggingEvent> console() {
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setName("console");
        appender.setEncoder(encoder());
        appender.setImmediateFlush(true);
        appender.setOutputStream(new StandardError());
        appender.start();
        return appender;
    }

    /** The process's stderr, which stopping an appender flushes but must never close: fd 2 would be reused. */
    private static final class StandardError extends FilterOutputStream {

        StandardError() {
            super(new FileOutputStream(FileDescriptor.err));
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    private RollingFileAppender<ILoggingEvent> file(AgentSettings settings) {
        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(context);
        appender.setName("file");
        appender.setFile(settings.logFile().toString());
        SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
        policy.setContext(context);
        policy.setParent(appender);
        policy.setFileNamePattern(settings.logFile() + ".%d{yyyy-MM-dd}.%i.gz");
        policy.setMaxFileSize(FileSize.valueOf("20MB"));
        policy.setMaxHistory(7);
        policy.setTotalSizeCap(FileSize.valueOf("200MB"));
        policy.start();
        appender.setRollingPolicy(policy);
        appender.setEncoder(encoder());
        appender.start();
        return appender;
    }

    private PatternLayoutEncoder encoder() {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        return encoder;
    }
}
