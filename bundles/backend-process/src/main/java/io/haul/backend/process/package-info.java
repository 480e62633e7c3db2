/**
 * The {@code process} backend: a process tree that runs in its own PID namespace, found and described
 * through {@code /proc}. Private to the bundle; the engine reaches it as a {@code ContainerBackend} service.
 */
package io.haul.backend.process;
