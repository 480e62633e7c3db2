import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;

/**
 * StatePlaneIT's stranger: a bare Hazelcast member with no certificate that joins the agents' cluster and forges
 * what would decide a migration held before its commit point: its record moved to COMMIT (the envelope the source
 * signed, the phase changed, the version raised, the source's signature left on it) and a cancel mark. Run with the
 * source launcher: java -cp hazelcast.jar RogueMember.java CLUSTER BIND_IP MEMBERS MIGRATION_ID
 */
public class RogueMember {

    public static void main(String[] args) {
        Config config = new Config().setClusterName(args[0]);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.getNetworkConfig().setPort(5701).setPortAutoIncrement(false);
        config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(args[1]);
        config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).addMember(args[2]);
        HazelcastInstance rogue = Hazelcast.newHazelcastInstance(config);
        try {
            System.out.println("rogue: joined, " + rogue.getCluster().getMembers().size() + " members");
            IMap<String, String> records = rogue.getMap("haul.migrations");
            String id = args[3];
            String real = records.get(id);
            if (real == null) {
                System.out.println("rogue: no record of " + id);
                System.exit(3);
            }
            String forged = real.replace("\\\"phase\\\":\\\"RESTORE\\\"", "\\\"phase\\\":\\\"COMMIT\\\"")
                    .replaceFirst("\"seq\":(\\d+)", "\"seq\":99");
            if (forged.equals(real.replaceFirst("\"seq\":(\\d+)", "\"seq\":99"))) {
                System.out.println("rogue: the record is not in RESTORE: " + real);
                System.exit(4);
            }
            records.set(id, forged);
            rogue.getMap("haul.cancels").set(id, "cancel " + id);
            System.out.println("rogue: wrote a commit and a cancel for " + id);
        } finally {
            rogue.shutdown();
        }
    }
}
