package io.haul.protocol;

/**
 * The protocol versions this agent speaks, and the choice of one with a peer. Version 2: the bulk stream opens
 * with the files the backend sends ahead of the freeze (an image stream, empty when there are none), before
 * the page pushes.
 */
public final class Versions {

    public static final int MIN = 1;
    public static final int MAX = 2;
    /** The first version whose bulk stream opens with the files sent ahead of the freeze. */
    public static final int FILES_AHEAD = 2;

    private Versions() {
    }

    /** The highest version both speak, or a refusal that names both ranges. */
    public static int negotiate(int peerMin, int peerMax) throws ProtocolException {
        int chosen = Math.min(MAX, peerMax);
        if (peerMin > peerMax || chosen < Math.max(MIN, peerMin)) {
            throw new ProtocolException("protocol.version", "the peer speaks protocol versions " + peerMin + " to "
                    + peerMax + ", this agent " + MIN + " to " + MAX + ": upgrade the older agent");
        }
        return chosen;
    }
}
