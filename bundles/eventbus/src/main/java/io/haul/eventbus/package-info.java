/**
 * What a client of Haul's event-bus API shares with the agents: the addresses and the message version
 * ({@link io.haul.eventbus.BusApi}), and the signature an operator puts on a request that starts or cancels a
 * migration ({@link io.haul.eventbus.BusSignature}). README.md, "The event-bus API", documents the messages;
 * the JSON Schemas are in this bundle's {@code schema/v1/}.
 */
@Export
@Version("1.1.0")
package io.haul.eventbus;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
