/**
 * Haul's one set of Foreign Function &amp; Memory bindings to the Linux calls it needs and the JDK lacks: memory
 * and descriptors ({@link io.haul.host.linux.Syscalls}: {@code process_vm_readv}, {@code userfaultfd},
 * {@code ioctl}, {@code fcntl}, {@code mkfifo}, {@code statfs},
 * {@code pidfd_open}, {@code pidfd_getfd}), SOCK_SEQPACKET sockets ({@link io.haul.host.linux.Sockets}), packet sockets with a kernel filter
 * ({@link io.haul.host.linux.PacketSockets}),
 * and processes ({@link io.haul.host.linux.Processes}: signals, waits, {@code posix_spawn} with one inherited
 * descriptor), with errno reported as {@link io.haul.host.linux.ErrnoException}.
 * Callers need native access ({@code --enable-native-access} or the {@code Enable-Native-Access} manifest header).
 */
@Export
@Version("1.5.0")
package io.haul.host.linux;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
