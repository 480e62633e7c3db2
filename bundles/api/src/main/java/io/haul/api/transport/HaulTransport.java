package io.haul.api.transport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Declares a DS component a transport in one line: {@code @HaulTransport("NAME")} sets the service
 * property {@code haul.transport}. DS derives the property's name from this annotation's (a single-element
 * component property type, as Felix healthcheck's {@code @HealthCheckService} does). The component must also
 * provide {@link Transport}.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface HaulTransport {

    /**
     * The value of {@code haul.transport}: a transport's name ({@code tls},
     * {@code inprocess}).
     */
    String value();
}
