/**
 * Thin Foreign Function &amp; Memory bindings to the Linux calls Haul needs and the JDK lacks
 * ({@code process_vm_readv}, {@code userfaultfd}, {@code ioctl}, {@code fcntl}, {@code mkfifo}), with errno reported as {@link io.haul.host.linux.ErrnoException}.
 * Callers need native access ({@code --enable-native-access} or the {@code Enable-Native-Access} manifest header).
 */
@Export
@Version("1.2.0")
package io.haul.host.linux;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
