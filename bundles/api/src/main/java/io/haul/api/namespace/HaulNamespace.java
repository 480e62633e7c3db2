package io.haul.api.namespace;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Declares a DS component a namespace handler in one line: {@code @HaulNamespace("NAME")} sets the service
 * property {@code haul.namespace}. DS derives the property's name from this annotation's (a single-element
 * component property type, as Felix healthcheck's {@code @HealthCheckService} does). The component must also
 * provide {@link NamespaceHandler}.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface HaulNamespace {

    /**
     * The value of {@code haul.namespace}: the namespace kind handled, as
     * {@code /proc/PID/ns/} names it ({@code net}, {@code mnt}).
     */
    String value();
}
