package io.haul.itests;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;

/**
 * A Gogo session as a user's shell has one: commands run through the {@link CommandProcessor}, results
 * formatted by the registered converters. Waits for the haul: commands to be registered first.
 */
public final class Shell implements AutoCloseable {

    public static final long WAIT_SECONDS = 20;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final CommandSession session;

    public Shell(BundleContext context) {
        CommandProcessor processor = Osgi.await(context, CommandProcessor.class, null, WAIT_SECONDS);
        // the haul: functions are one service; Gogo's own listener saw it before ours (registered earlier)
        Osgi.await(context, Object.class, "(&(osgi.command.scope=haul)(osgi.command.function=check))", WAIT_SECONDS);
        this.session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, err);
    }

    /** Runs a command line and returns its result object, as Gogo does before printing it. */
    public Object run(String commandLine) throws Exception {
        return session.execute(commandLine);
    }

    /** What the shell would print for this result. */
    public String format(Object result) {
        CharSequence text = session.format(result, Converter.INSPECT);
        return text == null ? "" : text.toString();
    }

    /** What commands printed to the session's stdout/stderr so far. */
    public String printed() {
        return out.toString() + err;
    }

    @Override
    public void close() {
        session.close();
    }

    /** A record component of a DTO whose class is private to its bundle (io.haul.shell is not exported). */
    public static Object get(Object dto, String accessor) {
        try {
            Method method = dto.getClass().getMethod(accessor);
            return method.invoke(dto);
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new AssertionError(dto.getClass().getName() + " has no accessor " + accessor + "()", e);
        } catch (InvocationTargetException e) {
            throw new AssertionError(dto.getClass().getName() + "." + accessor + "() failed", e.getCause());
        }
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Object dto, String accessor) {
        return (List<Object>) get(dto, accessor);
    }

    /** All messages of an exception and its causes, for assertions on what a user reads. */
    public static String messages(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
        }
        return text.toString();
    }
}
