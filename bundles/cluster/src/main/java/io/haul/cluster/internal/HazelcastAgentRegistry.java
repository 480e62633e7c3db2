package io.haul.cluster.internal;

import io.haul.json.HaulJson;
import com.hazelcast.map.IMap;
import io.haul.cluster.AgentInfo;
import io.haul.cluster.AgentRegistry;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The agents, in the map {@value HazelcastCluster#AGENTS_MAP}: name → {@link Entry} JSON, the agent's info and
 * the UUID of the member that published it.
 *
 * <p>Departed agents: an entry lives as long as its member is in the cluster. {@link HazelcastCluster}'s
 * membership listener removes the entries of a member that left ({@link #removeEntriesOfDeparted}), and
 * reads skip entries whose member is gone in the meantime. Chosen over an entry TTL refreshed by
 * {@code publish}: no refresh loop to run, and an agent disappears as soon as Hazelcast declares its member
 * gone (at once on a clean stop, after {@code hazelcast.max.no.heartbeat.seconds} on a crash), not after a
 * TTL that must be long enough to survive a missed refresh.
 */
final class HazelcastAgentRegistry implements AgentRegistry {

    /** What the map holds per agent. */
    public record Entry(UUID member, AgentInfo info) {
    }

    private final IMap<String, String> map;
    private final Supplier<UUID> self;
    private final Supplier<Set<UUID>> liveMembers;

    HazelcastAgentRegistry(IMap<String, String> map, Supplier<UUID> self, Supplier<Set<UUID>> liveMembers) {
        this.map = map;
        this.self = self;
        this.liveMembers = liveMembers;
    }

    /**
     * Publishes this agent under its name; {@code seen} is set to now when null. An entry of this member under
     * another name (the agent was renamed) is removed.
     *
     * @throws IllegalStateException when another agent in the cluster has this name
     */
    @Override
    public void publish(AgentInfo self) {
        if (self.name() == null || self.name().isBlank()) {
            throw new IllegalArgumentException("an agent needs a name");
        }
        AgentInfo info = self.seen() != null ? self
                : new AgentInfo(self.name(), self.address(), self.capabilities(), Instant.now());
        String value = HaulJson.write(new Entry(this.self.get(), info));
        while (true) {
            String old = map.putIfAbsent(info.name(), value);
            if (old == null) {
                break;
            }
            Entry holder = HaulJson.read(old, Entry.class);
            if (!holder.member().equals(this.self.get()) && liveMembers.get().contains(holder.member())) {
                throw new IllegalStateException("agent name " + info.name() + " is taken by another agent in the "
                        + "cluster (" + holder.info().address() + ", member " + holder.member() + ")");
            }
            if (map.replace(info.name(), old, value)) {
                break;
            }
        }
        for (Map.Entry<String, String> entry : map.entrySet()) {
            if (!entry.getKey().equals(info.name()) && HaulJson.read(entry.getValue(), Entry.class).member().equals(this.self.get())) {
                map.remove(entry.getKey(), entry.getValue());
            }
        }
    }

    @Override
    public List<AgentInfo> list() {
        Set<UUID> live = liveMembers.get();
        return map.values().stream().map(json -> HaulJson.read(json, Entry.class))
                .filter(entry -> live.contains(entry.member()))
                .map(Entry::info)
                .sorted(Comparator.comparing(AgentInfo::name))
                .toList();
    }

    /**
     * The agent of this name; else the one whose address is exactly this ({@code host:port}); else, for a
     * bare host, the one whose address has this host. Empty when none, or when several agents share the host
     * asked for: a migration must not go to an agent picked at random.
     */
    @Override
    public Optional<AgentInfo> resolve(String nameOrAddress) {
        if (nameOrAddress == null || nameOrAddress.isBlank()) {
            return Optional.empty();
        }
        String wanted = nameOrAddress.strip();
        List<AgentInfo> agents = list();
        Optional<AgentInfo> byName = agents.stream().filter(a -> a.name().equals(wanted)).findFirst();
        if (byName.isPresent()) {
            return byName;
        }
        Optional<AgentInfo> byAddress = agents.stream().filter(a -> wanted.equalsIgnoreCase(a.address())).findFirst();
        if (byAddress.isPresent()) {
            return byAddress;
        }
        if (hasPort(wanted)) {
            return Optional.empty(); // host:port names one agent; another port on that host is another agent
        }
        String host = host(wanted);
        List<AgentInfo> byHost = agents.stream().filter(a -> a.address() != null && host.equals(host(a.address())))
                .toList();
        return byHost.size() == 1 ? Optional.of(byHost.getFirst()) : Optional.empty();
    }

    /** The host part of {@code host:port}, {@code [v6]:port}, a bare host or a bare IPv6 address, lower case. */
    static String host(String address) {
        String a = address.strip();
        if (a.startsWith("[")) {
            int end = a.indexOf(']');
            return (end < 0 ? a.substring(1) : a.substring(1, end)).toLowerCase(Locale.ROOT);
        }
        int colon = a.indexOf(':');
        boolean hostAndPort = colon >= 0 && colon == a.lastIndexOf(':');
        return (hostAndPort ? a.substring(0, colon) : a).toLowerCase(Locale.ROOT);
    }

    /** Whether an address names a port: {@code host:port} or {@code [v6]:port}. */
    static boolean hasPort(String address) {
        String a = address.strip();
        if (a.startsWith("[")) {
            return a.contains("]:");
        }
        int colon = a.indexOf(':');
        return colon >= 0 && colon == a.lastIndexOf(':');
    }

    /** Removes the entries of members not in {@code live}; returns how many. */
    int removeEntriesOfDeparted(Set<UUID> live) {
        int removed = 0;
        for (Map.Entry<String, String> entry : map.entrySet()) {
            if (!live.contains(HaulJson.read(entry.getValue(), Entry.class).member())
                    && map.remove(entry.getKey(), entry.getValue())) {
                removed++;
            }
        }
        return removed;
    }
}
