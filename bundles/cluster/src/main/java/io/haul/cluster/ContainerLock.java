package io.haul.cluster;

/**
 * Holds a container for one migration: while held, no other migration of it starts anywhere in the
 * cluster. Released on close, or by the cluster when the holding agent leaves it.
 */
public interface ContainerLock extends AutoCloseable {

    String migrationId();

    @Override
    void close();
}
