package io.haul.protocol;

/**
 * The protocol versions this agent speaks, and the choice of one with a peer. Version 2: the bulk stream opens
 * with the files the backend sends ahead of the freeze (an image stream, empty when there are none), before
 * the page pushes. Version 3: those files come in rounds, one image stream each, and an empty image stream ends
 * them (none at all when the container has no files of its own).
 */
public final class Versions {

    public static final int MIN = 1;
    public static final int MAX = 3;
    /** The first version whose bulk stream opens with the files sent ahead of the freeze. */
    public static final int FILES_AHEAD = 2;
    /** The first version whose files sent ahead come in rounds, ended by an empty image stream. */
    public static final int FILE_ROUNDS = 3;

    private Versions() {
    }

    /**
     * The highest version both speak, or a refusal that names both ranges. The versions are the Hello's uint32
     * fields: one of 2^31 or more arrives as a negative int and is read unsigned here.
     */
    public static int negotiate(int peerMin, int peerMax) throws ProtocolException {
        long min = Integer.toUnsignedLong(peerMin);
        long max = Integer.toUnsignedLong(peerMax);
        long chosen = Math.min(MAX, max);
        if (min > max || chosen < Math.max(MIN, min)) {
            throw new ProtocolException("protocol.version", "the peer speaks protocol versions " + min + " to "
                    + max + ", this agent " + MIN + " to " + MAX + ": upgrade the older agent");
        }
        return (int) chosen;
    }
}
