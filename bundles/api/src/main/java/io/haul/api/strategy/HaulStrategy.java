package io.haul.api.strategy;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Declares a DS component a pre-dump strategy in one line: {@code @HaulStrategy("NAME")} sets the service
 * property {@code haul.strategy}. DS derives the property's name from this annotation's (a single-element
 * component property type, as Felix healthcheck's {@code @HealthCheckService} does). The component must also
 * provide {@link PreDumpStrategy}.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface HaulStrategy {

    /**
     * The value of {@code haul.strategy}: a strategy's name ({@code vmread},
     * {@code none}).
     */
    String value();
}
