package io.haul.itests;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.Filter;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Inside the framework: waiting for services with a bound, and saying what is wrong when they do not come
 * (bundles that are not active and why, components that are not satisfied and what they miss).
 */
public final class Osgi {

    private Osgi() {
    }

    /** The state folder of this framework (the framework property the configuration set). */
    public static Path stateDir(BundleContext context) {
        String state = context.getProperty(HaulRuntime.STATE);
        if (state == null) {
            throw new IllegalStateException(HaulRuntime.STATE + " is not set in this framework");
        }
        return Path.of(state);
    }

    /** Waits up to {@code seconds} for a service; fails naming what is broken in the framework. */
    public static <T> T await(BundleContext context, Class<T> type, String filter, long seconds) {
        String objectClass = "(" + Constants.OBJECTCLASS + "=" + type.getName() + ")";
        String full = filter == null ? objectClass
                : type == Object.class ? filter // any service matching the filter, whatever its interfaces
                : "(&" + objectClass + filter + ")";
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, filter(context, full), null);
        tracker.open();
        try {
            T service = tracker.waitForService(seconds * 1000);
            if (service == null) {
                throw new AssertionError("no service " + full + " within " + seconds + " s.\n" + diagnose(context));
            }
            return service;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + full, e);
        } finally {
            tracker.close();
        }
    }

    public static Filter filter(BundleContext context, String filter) {
        try {
            return context.createFilter(filter);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(filter, e);
        }
    }

    public static boolean isFragment(Bundle bundle) {
        return bundle.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
    }

    /** A bundle is where it should be: active, or resolved for a fragment. */
    public static boolean isUp(Bundle bundle) {
        return isFragment(bundle) ? bundle.getState() == Bundle.RESOLVED : bundle.getState() == Bundle.ACTIVE;
    }

    public static String state(int state) {
        return switch (state) {
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "state " + state;
        };
    }

    /** One line on a bundle: id, name, version, state, location. */
    public static String describe(Bundle bundle) {
        return "[" + bundle.getBundleId() + "] " + bundle.getSymbolicName() + " " + bundle.getVersion() + " "
                + state(bundle.getState()) + (isFragment(bundle) ? " (fragment)" : "") + " " + bundle.getLocation();
    }

    /**
     * Every bundle that is not up, with the framework's reason for an unresolved one, and every component of
     * the io.haul bundles that is not satisfied, with the references it lacks. Empty lines when all is well.
     */
    public static String diagnose(BundleContext context) {
        StringBuilder out = new StringBuilder();
        List<Bundle> down = Arrays.stream(context.getBundles()).filter(b -> !isUp(b)).toList();
        out.append(down.isEmpty() ? "all bundles are up\n" : "bundles not up:\n");
        for (Bundle bundle : down) {
            out.append("  ").append(describe(bundle)).append('\n');
            if (bundle.getState() == Bundle.INSTALLED && !isFragment(bundle)) {
                out.append("    why: ").append(resolutionError(bundle)).append('\n');
            }
        }
        problems(context).forEach(problem -> out.append("  ").append(problem).append('\n'));
        return out.toString();
    }

    // The framework names the missing requirement only when asked to start the bundle.
    private static String resolutionError(Bundle bundle) {
        try {
            bundle.start(Bundle.START_TRANSIENT);
            return "it started when asked now";
        } catch (BundleException | RuntimeException e) {
            return e.getMessage();
        }
    }

    /** The components of io.haul.* bundles that are neither satisfied nor active, each saying why. */
    public static List<String> problems(BundleContext context) {
        ServiceReference<ServiceComponentRuntime> reference = context.getServiceReference(ServiceComponentRuntime.class);
        if (reference == null) {
            return List.of("no ServiceComponentRuntime: SCR is not running");
        }
        ServiceComponentRuntime scr = context.getService(reference);
        try {
            Bundle[] haulBundles = Arrays.stream(context.getBundles())
                    .filter(b -> b.getSymbolicName() != null && b.getSymbolicName().startsWith("io.haul."))
                    .toArray(Bundle[]::new);
            List<String> problems = new ArrayList<>();
            for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs(haulBundles)) {
                String name = description.name + " (bundle " + description.bundle.symbolicName + ")";
                if (!scr.isComponentEnabled(description)) {
                    problems.add("component " + name + " is disabled");
                    continue;
                }
                var configurations = scr.getComponentConfigurationDTOs(description);
                if (configurations.isEmpty()) {
                    problems.add("component " + name + " has no configuration (policy "
                            + description.configurationPolicy + ", pids " + Arrays.toString(description.configurationPid) + ")");
                }
                for (ComponentConfigurationDTO configuration : configurations) {
                    if (configuration.state == ComponentConfigurationDTO.SATISFIED
                            || configuration.state == ComponentConfigurationDTO.ACTIVE) {
                        continue;
                    }
                    problems.add("component " + name + " is " + componentState(configuration.state)
                            + unsatisfied(configuration.unsatisfiedReferences)
                            + (configuration.failure == null ? "" : ": " + configuration.failure.strip().lines().findFirst().orElse("")));
                }
            }
            return problems;
        } finally {
            context.ungetService(reference);
        }
    }

    private static String unsatisfied(UnsatisfiedReferenceDTO[] references) {
        if (references == null || references.length == 0) {
            return "";
        }
        return Arrays.stream(references)
                .map(r -> r.name + (r.target == null ? "" : " target " + r.target))
                .collect(Collectors.joining(", ", ", unsatisfied references: ", ""));
    }

    static String componentState(int state) {
        return switch (state) {
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> "UNSATISFIED_CONFIGURATION";
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> "UNSATISFIED_REFERENCE";
            case ComponentConfigurationDTO.SATISFIED -> "SATISFIED";
            case ComponentConfigurationDTO.ACTIVE -> "ACTIVE";
            case ComponentConfigurationDTO.FAILED_ACTIVATION -> "FAILED_ACTIVATION";
            default -> "state " + state;
        };
    }
}
