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

    /**
     * Whether this is the IPv6 link-local address the kernel makes from hardware address {@code mac} (EUI-64,
     * RFC 4291 appendix A): it comes again with the MAC wherever the interface is made, and only that interface has it.
     */
    public boolean madeFromMac(String mac) {
        if (ipv4() || !address.regionMatches(true, 0, "fe80:", 0, 5)) {
            return false;
        }
        String[] octets = mac.split(":");
        if (octets.length != 6) {
            return false;
        }
        byte[] expected = new byte[16];
        expected[0] = (byte) 0xfe;
        expected[1] = (byte) 0x80;
        int[] eui = {Integer.parseInt(octets[0], 16) ^ 0x02, Integer.parseInt(octets[1], 16),
                Integer.parseInt(octets[2], 16), 0xff, 0xfe, Integer.parseInt(octets[3], 16),
                Integer.parseInt(octets[4], 16), Integer.parseInt(octets[5], 16)};
        for (int i = 0; i < eui.length; i++) {
            expected[8 + i] = (byte) eui[i];
        }
        try {
            return java.util.Arrays.equals(java.net.InetAddress.getByName(address).getAddress(), expected);
        } catch (java.net.UnknownHostException e) {
            return false; // a literal from ip -j is always an address; nothing to compare otherwise
        }
    }

    /** {@code address/prefix}. */
    @Override
    public String toString() {
        return address + "/" + prefix;
    }
}
