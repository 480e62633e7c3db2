package io.haul.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Makes one value from a random source: a decoder's input, or a part of one (a name, a header, a message). A
 * run draws every value from one {@link Random} seeded once ({@link FuzzSeed}), so the same seed makes the
 * same values again. A plain function, so that a module writes its generators as ordinary methods
 * ({@code EnvelopeGenerators::hello}) and combines them with a few lines of Java.
 */
@FunctionalInterface
public interface Generator<T> {

    T next(Random random);

    /** This generator's values, each passed through {@code mapping}. */
    default <R> Generator<R> map(Function<? super T, ? extends R> mapping) {
        return random -> mapping.apply(next(random));
    }

    /** Endless values, drawn from {@code random} as they are taken (on the taker's thread). */
    default Stream<T> stream(Random random) {
        return Stream.generate(() -> next(random));
    }

    /** One of {@code values}, each as likely. */
    @SafeVarargs
    static <T> Generator<T> of(T... values) {
        List<T> choices = List.of(values);
        return random -> choices.get(random.nextInt(choices.size()));
    }

    /** A value of one of {@code generators}, each generator as likely. */
    @SafeVarargs
    static <T> Generator<T> oneOf(Generator<? extends T>... generators) {
        List<Generator<? extends T>> choices = List.of(generators);
        return random -> choices.get(random.nextInt(choices.size())).next(random);
    }

    /** {@code minSize} to {@code maxSize} values of {@code element}, each size as likely. */
    static <T> Generator<List<T>> listOf(Generator<? extends T> element, int minSize, int maxSize) {
        return random -> {
            int size = random.nextInt(minSize, maxSize + 1);
            List<T> list = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                list.add(element.next(random));
            }
            return list;
        };
    }
}
