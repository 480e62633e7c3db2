package io.haul.protocol;

/** The protocol versions this agent speaks, and the choice of one with a peer. */
public final class Versions {

    public static final int MIN = 1;
    public static final int MAX = 1;

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
