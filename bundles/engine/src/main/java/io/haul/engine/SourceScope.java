package io.haul.engine;

import io.haul.api.backend.ContainerBackend;
import io.haul.api.backend.ContainerInfo;
import io.haul.api.backend.SourceSession;
import io.haul.api.plugin.PluginLease;
import io.haul.cluster.AgentInfo;

/**
 * What every phase of one migration's source side works with: this agent's context, the record, the container
 * as it was asked for, the destination, the backend (leased once, for the whole migration) and its session, the
 * migration's folder, and what to undo or release at the end.
 */
record SourceScope(MigrationContext context, RecordKeeper record, ContainerInfo container, AgentInfo destination,
        PluginLease<ContainerBackend> backend, SourceSession session, Workspace workspace, Rollback rollback) {

    String id() {
        return record.id();
    }

    /** Fails the migration when the backend's bundle went away, before anything more is asked of it. */
    void checkBackend() throws MigrationFailure {
        if (backend.gone()) {
            throw new MigrationFailure("backend.gone", "the '" + container.ref().backend() + "' backend went away");
        }
    }

    /** Fails the migration when a user asked to cancel it. */
    void checkCancel() throws MigrationFailure {
        if (context.store().cancelRequested(id())) {
            throw cancelled();
        }
    }

    static MigrationFailure cancelled() {
        return new MigrationFailure("cancelled", "cancelled by a user");
    }

    /** Each phase's entry: the fault points tests use, the backend's presence, a user's cancel. */
    void entering(String point) throws MigrationFailure {
        context.faults().reached(id(), "source:" + point);
        checkBackend();
        checkCancel();
    }
}
