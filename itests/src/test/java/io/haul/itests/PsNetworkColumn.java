package io.haul.itests;

import static org.junit.Assert.assertTrue;

/** What {@code haul ps} says of a container's network in its table: the NETWORK column, whatever the backend. */
final class PsNetworkColumn {

    private PsNetworkColumn() {
    }

    /**
     * The table {@code ps BACKEND} prints on {@code agent} has a NETWORK column, and the row of {@code ref} says
     * that {@code address} (with its /24) moves. Returns the table, for the test's log.
     */
    static String assertSaysTheAddressMoves(TwoHostCluster cluster, TwoHostCluster.Agent agent, String backend,
            String ref, String address) throws Exception {
        String table = cluster.client(agent, "ps", backend).stdout();
        assertTrue("the table has a NETWORK column:\n" + table, table.lines().findFirst().orElse("")
                .contains(" NETWORK "));
        assertTrue("the table says " + ref + "'s address moves:\n" + table, table.lines().anyMatch(line ->
                line.startsWith(ref + " ") && line.contains(address + "/24: moves")));
        return table;
    }
}
