package io.haul.api.namespace;

/**
 * What Haul will do with one namespace instance of a container, for people ({@code haul:namespaces}) and scripts:
 * the same judgement the checks before a migration make.
 *
 * @param instance the instance
 * @param action   what happens to it
 * @param detail   how, or why not, in a sentence ("" when the action says it all)
 */
public record NamespaceVerdict(NamespaceInstance instance, Action action, String detail) {

    /** What happens to an instance when its container moves. */
    public enum Action {
        /** The host's: the tree stays in it, and joins the destination's own instance there. */
        STAYS_THE_HOSTS,
        /** CRIU dumps it with the tree and recreates it on the destination, by itself. */
        MOVED_BY_CRIU,
        /** CRIU moves it with what Haul tells it or makes for it ({@link #detail} says what). */
        MOVED_WITH_HAUL,
        /** It cannot move: the migration is refused before anything freezes ({@link #detail} says why). */
        REFUSED
    }

    public NamespaceVerdict {
        detail = detail == null ? "" : detail;
    }

    public boolean refused() {
        return action == Action.REFUSED;
    }
}
