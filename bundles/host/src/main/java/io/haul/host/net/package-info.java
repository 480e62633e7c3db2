/**
 * A host's network as migrations need it: the interfaces of a network namespace
 * ({@link io.haul.host.net.IpLinks}), ARP announcements and probes on a segment ({@link io.haul.host.net.Arp}),
 * a bridge's forwarding table ({@link io.haul.host.net.BridgeFdb}), through iproute2 and iputils, and when a
 * container's own frames pass ({@link io.haul.host.net.FrameWatch}, a packet socket).
 */
@Export
@Version("1.1.0")
package io.haul.host.net;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
