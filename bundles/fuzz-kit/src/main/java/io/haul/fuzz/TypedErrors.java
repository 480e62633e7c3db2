package io.haul.fuzz;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The exceptions a decoder documents for input it refuses (its protocol exception, an end of stream): any other
 * throwable out of it, a NullPointerException or an OutOfMemoryError, is a crash.
 */
public record TypedErrors(List<Class<? extends Throwable>> types) {

    public TypedErrors {
        types = List.copyOf(types);
    }

    @SafeVarargs
    public static TypedErrors of(Class<? extends Throwable>... types) {
        return new TypedErrors(List.of(types));
    }

    public boolean admits(Throwable thrown) {
        return types.stream().anyMatch(type -> type.isInstance(thrown));
    }

    @Override
    public String toString() {
        return types.stream().map(Class::getSimpleName).collect(Collectors.joining(", "));
    }
}
