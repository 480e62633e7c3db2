package io.haul.host.net;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NetAddressTest {

    @Test
    void theLinkLocalAddressMadeFromAMacIsKnownAndNoOther() {
        String mac = "02:00:a9:fe:54:43"; // the universal/local bit flips, ff:fe in the middle: 00:00:a9:ff:fe:fe:54:43
        assertTrue(new NetAddress("inet6", "fe80::a9ff:fefe:5443", 64, "link").madeFromMac(mac));
        assertTrue(new NetAddress("inet6", "FE80:0:0:0:0:a9FF:FEFE:5443", 64, "link").madeFromMac(mac));
        assertFalse(new NetAddress("inet6", "fe80::a9fe:5b3c", 64, "link").madeFromMac(mac), "one a user gave");
        assertFalse(new NetAddress("inet6", "fe80::a9ff:fefe:5444", 64, "link").madeFromMac(mac), "another MAC's");
        assertFalse(new NetAddress("inet", "169.254.91.60", 24, "global").madeFromMac(mac));
    }
}
