/**
 * What {@code /proc} says about processes, read the one way every bundle shares: a process tree (root and
 * descendants, through every thread's children), its tasks' states, signals to a whole tree, memory mappings,
 * namespace links, what a tree holds that a copy on the same kernel would meet, and the open files CRIU cannot
 * dump or would restore with state lost. Nothing here reads a task's
 * memory ({@code cmdline}, {@code environ}): a task CRIU restored lazily has none until the lazy-pages daemon
 * filled it in, and the kernel's reads of it do not wait.
 */
@Export
@Version("1.2.0")
package io.haul.host.proc;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
