package io.haul.api.transport;

/**
 * Who is at the other end, as the transport authenticated it (for TLS: the certificate's subject, as
 * checked against the cluster CA).
 *
 * @param agentName the agent name the peer proved
 * @param address   where it connected from, for logs
 */
public record PeerIdentity(String agentName, String address) {
}
