package io.haul.eventbus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The relayed events a late subscriber gets: numbered from 1 per migration, the newest kept. */
class EventLogTest {

    @Test
    void eachMigrationsEventsAreNumberedFromOneAndTheNewestKept() {
        EventLog log = new EventLog(3);
        for (int i = 0; i < 5; i++) {
            log.append("m1", seq -> new JsonObject().put("seq", seq));
        }
        log.append("m2", seq -> new JsonObject().put("seq", seq));
        JsonObject m1 = log.catchUp("m1");
        assertEquals(5L, m1.getLong("seq"));
        assertEquals(3, m1.getJsonArray("events").size());
        assertEquals(3L, m1.getJsonArray("events").getJsonObject(0).getLong("seq"), "the oldest kept is the third");
        assertEquals(1L, log.catchUp("m2").getLong("seq"));
        JsonObject none = log.catchUp("m3");
        assertEquals(0L, none.getLong("seq"));
        assertEquals(0, none.getJsonArray("events").size());
    }

    @Test
    void onlyTheMigrationsRelayedLastAreKept() {
        EventLog log = new EventLog(4);
        for (int i = 0; i <= EventLog.MIGRATIONS; i++) {
            log.append("m" + i, seq -> new JsonObject());
        }
        assertEquals(0L, log.catchUp("m0").getLong("seq"), "the first migration's events went");
        assertEquals(1L, log.catchUp("m" + EventLog.MIGRATIONS).getLong("seq"));
    }
}
