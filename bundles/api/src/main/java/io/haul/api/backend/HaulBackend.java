package io.haul.api.backend;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Declares a DS component a container backend in one line: {@code @HaulBackend("NAME")} sets the service
 * property {@code haul.backend}. DS derives the property's name from this annotation's (a single-element
 * component property type, as Felix healthcheck's {@code @HealthCheckService} does). The component must also
 * provide {@link ContainerBackend}.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface HaulBackend {

    /**
     * The value of {@code haul.backend}: a backend's name, the part before the colon in a container
     * reference ({@code process}, {@code docker}).
     */
    String value();
}
