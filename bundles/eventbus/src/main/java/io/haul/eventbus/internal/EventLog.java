package io.haul.eventbus.internal;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * The events this agent relayed, per migration, numbered from 1 in the order it published them: what a subscriber
 * that comes late asks for ({@code haul.migration.catchup}) before it takes the live ones whose number is higher.
 * Bounded: the newest {@code keptPerMigration} events of the {@value #MIGRATIONS} migrations relayed last.
 */
final class EventLog {

    static final int MIGRATIONS = 256;

    private final int keptPerMigration;
    private final Map<String, Log> logs = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Log> eldest) {
            return size() > MIGRATIONS;
        }
    };

    private static final class Log {
        long seq;
        final ArrayDeque<JsonObject> events = new ArrayDeque<>();
    }

    EventLog(int keptPerMigration) {
        this.keptPerMigration = keptPerMigration;
    }

    /** Numbers the migration's next event, makes it with that number and keeps it. */
    synchronized JsonObject append(String migrationId, LongFunction<JsonObject> event) {
        Log entry = logs.computeIfAbsent(migrationId, id -> new Log());
        JsonObject made = event.apply(++entry.seq);
        entry.events.addLast(made);
        if (entry.events.size() > keptPerMigration) {
            entry.events.removeFirst();
        }
        return made;
    }

    /** The kept events of a migration, oldest first, and the number of its last one (0: none relayed here). */
    synchronized JsonObject catchUp(String migrationId) {
        Log entry = logs.get(migrationId);
        JsonArray events = new JsonArray();
        if (entry != null) {
            entry.events.forEach(events::add);
        }
        return new JsonObject().put("seq", entry == null ? 0L : entry.seq).put("events", events);
    }
}
