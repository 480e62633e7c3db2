package io.haul.host.net;

/**
 * An address of an interface, as {@code ip -j addr} shows it.
 *
 * @param family  {@code inet} or {@code inet6}
 * @param address the address, e.g. {@code 169.254.60.50}
 * @param prefix  the prefix length
 * @param scope   {@code global}, {@code link}, {@code host}
 */
public record NetAddress(String family, String address, int prefix, String scope) {

    public boolean ipv4() {
        return "inet".equals(family);
    }

    /** {@code address/prefix}. */
    @Override
    public String toString() {
        return address + "/" + prefix;
    }
}
