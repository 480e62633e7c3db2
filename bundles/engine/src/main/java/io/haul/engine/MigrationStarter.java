package io.haul.engine;

import io.haul.api.ContainerRef;
import io.haul.api.HaulException;
import io.haul.api.backend.ContainerBackend;
import io.haul.api.backend.ContainerInfo;
import io.haul.api.backend.SourceSession;
import io.haul.api.migration.MigrationRecord;
import io.haul.api.migration.MigrationRequest;
import io.haul.api.migration.MigrationStatistics;
import io.haul.api.migration.Outcome;
import io.haul.api.migration.Phase;
import io.haul.api.plugin.PluginKind;
import io.haul.api.plugin.PluginLease;
import io.haul.cluster.AgentInfo;
import io.haul.cluster.ContainerLock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executor;

/**
 * Starts a migration as its source: leases the container's backend once for the whole migration, checks the
 * container can move, locks it in the cluster, opens the backend's session and hands all of it to a
 * {@link SourceMigration} that runs beside the caller. Whatever fails before that is released here.
 */
final class MigrationStarter {

    private final MigrationContext context;
    private final Executor migrations;

    MigrationStarter(MigrationContext context, Executor migrations) {
        this.context = context;
        this.migrations = migrations;
    }

    MigrationRecord start(MigrationRequest request, AgentInfo destination, String strategy, String transport)
            throws HaulException {
        ContainerRef ref = request.container();
        PluginLease<ContainerBackend> backend = context.plugins().lease(PluginKind.BACKEND, ref.backend())
                .orElseThrow(() -> new HaulException("backend.not-found", "no backend named '" + ref.backend()
                        + "' is registered; haul:backends lists them"));
        try {
            ContainerInfo container = backend.service().inspect(ref.id());
            if (!container.migratable()) {
                throw new HaulException("container.not-migratable", ref + " cannot be migrated: " + container.whyNot());
            }
            String id = UUID.randomUUID().toString();
            ContainerLock lock = context.store().lock(ref, id).orElseThrow(() -> new HaulException("container.busy",
                    ref + " is already being migrated (" + context.store().lockHolder(ref).orElse("?") + ")"));
            Workspace workspace = new Workspace(context.migrationsDir(), id);
            SourceSession session = null;
            try {
                session = backend.service().openSource(container, workspace.folders());
                MigrationRecord first = new MigrationRecord(id, ref, context.agentName(), destination.name(),
                        Phase.HANDSHAKE, Outcome.IN_PROGRESS, context.clock().instant(), null,
                        MigrationStatistics.NONE, null, List.of());
                RecordKeeper record = new RecordKeeper(context.store(), context.clock(), first);
                SourceScope scope = new SourceScope(context, record, container, destination, backend, session,
                        workspace, new Rollback(id));
                migrations.execute(new SourceMigration(scope, lock, strategy, transport, request.policy()));
                return first;
            } catch (HaulException | RuntimeException e) {
                if (session != null) {
                    session.close();
                }
                lock.close();
                throw e;
            }
        } catch (HaulException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }
}
