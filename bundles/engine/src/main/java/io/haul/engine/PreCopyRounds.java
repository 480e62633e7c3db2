package io.haul.engine;

import io.haul.api.HaulException;
import io.haul.api.migration.ConvergencePolicy;
import io.haul.api.migration.Phase;
import io.haul.api.plugin.PluginKind;
import io.haul.api.plugin.PluginLease;
import io.haul.api.strategy.PageSink;
import io.haul.api.strategy.PreCopy;
import io.haul.api.strategy.PreCopyContext;
import io.haul.api.strategy.PreDumpStrategy;
import io.haul.api.strategy.RoundStats;
import io.haul.host.proc.ProcessTree;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Phase 4 on the source, the container running: the chosen pre-dump strategy copies memory in rounds into the
 * destination's page store, until the convergence policy says freeze. Returns the pages the destination now
 * holds, which the final dump's page images can refer to instead of carrying them again.
 */
final class PreCopyRounds {

    private final SourceScope source;
    private final CountingOutputStream wire;
    private final String strategyNames;
    private final ConvergencePolicy policy;

    PreCopyRounds(SourceScope source, CountingOutputStream wire, String strategyNames, ConvergencePolicy policy) {
        this.source = source;
        this.wire = wire;
        this.strategyNames = strategyNames;
        this.policy = policy;
    }

    PushingPageSink run(long rootPid) throws MigrationFailure, IOException {
        PushingPageSink pages = new PushingPageSink(wire);
        try (Chosen strategy = choose()) {
            source.record().enter(Phase.PRECOPY, "pre-copy with the '" + strategy.name() + "' strategy");
            source.entering(Phase.PRECOPY.name());
            try (PreCopy preCopy = strategy.service().start(new Context(rootPid, pages))) {
                Convergence convergence = new Convergence(policy);
                Convergence.Verdict verdict = Convergence.Verdict.CONTINUE;
                int round = 1;
                while (verdict == Convergence.Verdict.CONTINUE) {
                    if (round > 1) { // a later round is a fault point of its own (the first is PRECOPY's entry)
                        source.context().faults().reached(source.id(), "source:PRECOPY_ROUND_" + round);
                    }
                    round++;
                    source.checkCancel();
                    RoundStats stats = preCopy.round();
                    verdict = convergence.after(stats);
                    if (verdict == Convergence.Verdict.NOTHING_TO_COPY) {
                        break;
                    }
                    source.record().statistics(s -> s.plusRound(stats));
                    source.record().progress("round " + stats.round() + ": " + stats.pagesScanned()
                            + " pages scanned, " + stats.pagesChanged() + " changed, " + stats.pagesSent() + " sent ("
                            + Sizes.bytes(stats.bytesSent()) + ") in " + stats.duration().toMillis()
                            + " ms, predicted downtime " + stats.predictedDowntime().toMillis() + " ms"
                            + (verdict == Convergence.Verdict.CONTINUE ? "" : "; freezing: " + verdict.reason()));
                }
            }
        } catch (HaulException e) {
            throw MigrationFailure.of(e);
        } finally {
            pages.end(); // the destination stops filling its store and waits for the images
        }
        return pages;
    }

    /** A strategy in use with the name it was chosen by. */
    private record Chosen(String name, PluginLease<PreDumpStrategy> lease) implements AutoCloseable {

        PreDumpStrategy service() {
            return lease.service();
        }

        @Override
        public void close() {
            lease.close();
        }
    }

    /**
     * The first strategy of the preference list (a request's, or the configured one) that is registered and
     * usable here; a single name that is not is an error that says why.
     */
    private Chosen choose() throws MigrationFailure {
        List<String> why = new ArrayList<>();
        for (String name : strategyNames.split("\\s*,\\s*")) {
            var lease = source.context().plugins().lease(PluginKind.STRATEGY, name);
            if (lease.isEmpty()) {
                why.add("no strategy named '" + name + "' here");
                continue;
            }
            if (lease.get().service().usability().usable()) {
                return new Chosen(name, lease.get());
            }
            why.add("'" + name + "' is not usable here: " + lease.get().service().usability().reason());
            lease.get().close();
        }
        throw new MigrationFailure("check.strategy", String.join("; ", why));
    }

    /** What a strategy sees of this migration. */
    private final class Context implements PreCopyContext {

        private final long rootPid;
        private final PageSink sink;

        Context(long rootPid, PageSink sink) {
            this.rootPid = rootPid;
            this.sink = sink;
        }

        @Override
        public long rootPid() {
            return rootPid;
        }

        /** The root and every process below it now (the tree may fork or lose processes between rounds). */
        @Override
        public List<Long> pids() {
            return ProcessTree.processes(rootPid);
        }

        @Override
        public PageSink sink() {
            return sink;
        }

        @Override
        public boolean cancelled() {
            return source.context().store().cancelRequested(source.id());
        }
    }
}
