/**
 * A host's network as migrations need it: the interfaces of a network namespace
 * ({@link io.haul.host.net.IpLinks}), ARP announcements and probes on a segment ({@link io.haul.host.net.Arp}),
 * and a bridge's forwarding table ({@link io.haul.host.net.BridgeFdb}), through iproute2 and iputils.
 */
@Export
@Version("1.0.0")
package io.haul.host.net;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
