package io.haul.control;

import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Runs one {@code haul:} command in a fresh Gogo session, the way the shell would, and formats its result
 * with the same converters. Only the {@code haul} scope is reachable, and the arguments reach the command
 * as session variables, never as text to parse: nothing a client sends is evaluated as a script.
 */
final class CommandRunner {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 64;
    /** Gogo found no method of the command that takes these arguments (missing, extra, of the wrong type). */
    private static final int WRONG_ARGUMENTS = -1;
    private static final String GOGO_NO_METHOD = "Cannot coerce";

    private final CommandProcessor processor;
    private final BundleContext context;

    CommandRunner(CommandProcessor processor, BundleContext context) {
        this.processor = processor;
        this.context = context;
    }

    int run(List<String> args, PrintStream out, PrintStream err) {
        String name = args.getFirst();
        TreeSet<String> commands = commands();
        if (name.equals("help")) {
            return help(args, commands, out, err);
        }
        if (!commands.contains(name)) {
            return unknown(name, commands, err);
        }
        StringBuilder script = new StringBuilder("haul:").append(name);
        Map<String, Object> variables = new LinkedHashMap<>();
        for (int i = 1; i < args.size(); i++) {
            variables.put("haularg" + i, args.get(i));
            script.append(" $haularg").append(i);
        }
        int status = execute(script.toString(), variables, out, err);
        if (status == WRONG_ARGUMENTS) {
            err.println("haul: " + String.join(" ", args) + ": the arguments do not fit the command; its usage:");
            execute("help haul:" + name, Map.of(), err, err);
            return USAGE;
        }
        return status;
    }

    private int help(List<String> args, TreeSet<String> commands, PrintStream out, PrintStream err) {
        if (args.size() == 1) {
            out.println("commands: " + String.join(", ", commands));
            out.println("./haul help COMMAND describes one");
            return OK;
        }
        String name = args.get(1);
        if (!commands.contains(name)) {
            return unknown(name, commands, err);
        }
        return execute("help haul:" + name, Map.of(), out, err);
    }

    private static int unknown(String name, TreeSet<String> commands, PrintStream err) {
        err.println("haul: unknown command '" + name + "'; the commands are: " + String.join(", ", commands));
        return USAGE;
    }

    private int execute(String script, Map<String, Object> variables, PrintStream out, PrintStream err) {
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, err)) {
            variables.forEach(session::put);
            Object result = session.execute(script);
            if (result != null) {
                out.println(session.format(result, Converter.INSPECT));
            }
            return OK;
        } catch (Exception e) {
            String message = message(e);
            if (message.startsWith(GOGO_NO_METHOD)) {
                return WRONG_ARGUMENTS; // Gogo's "Cannot coerce migrate() to any of [...]" tells a user nothing
            }
            err.println("haul: " + message);
            return FAILED;
        }
    }

    /** The function names registered in the haul scope now. */
    TreeSet<String> commands() {
        TreeSet<String> names = new TreeSet<>();
        try {
            ServiceReference<?>[] references = context.getAllServiceReferences(null, "(osgi.command.scope=haul)");
            for (ServiceReference<?> reference : references == null ? new ServiceReference<?>[0] : references) {
                Object functions = reference.getProperty("osgi.command.function");
                if (functions instanceof String[] array) {
                    names.addAll(List.of(array));
                } else if (functions != null) {
                    names.add(String.valueOf(functions));
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        return names;
    }

    /** The innermost message that says something, past Gogo's and reflection's wrappers. */
    private static String message(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null
                && (cause.getMessage() == null || cause instanceof InvocationTargetException)) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
