package io.haul.lxc;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container's network as its configuration gives it ({@code lxc.net.N.*}): what the backend moves (type
 * {@code empty}; a {@code veth} on a bridge with a fixed host end name, which LXC's restore makes again with that
 * name on the destination's bridge of the same name) and the CRIU externals LXC's restore passes for them.
 */
final class LxcNetwork {

    private static final Pattern INDEX = Pattern.compile("lxc\\.net\\.(\\d+)\\.type");

    private LxcNetwork() {
    }

    /** The indexes N of lxc.net.N.type, in order. */
    static List<String> indexes(LxcConfig config) {
        List<String> indexes = new ArrayList<>();
        for (String key : config.keysStarting("lxc.net.")) {
            Matcher m = INDEX.matcher(key);
            if (m.matches()) {
                indexes.add(m.group(1));
            }
        }
        return indexes;
    }

    static List<String> whyNot(LxcConfig config) {
        List<String> why = new ArrayList<>();
        for (String n : indexes(config)) {
            String type = config.get("lxc.net." + n + ".type").orElse("");
            switch (type) {
                case "empty" -> {
                }
                case "veth" -> {
                    if (config.get("lxc.net." + n + ".link").isEmpty()) {
                        why.add("its veth lxc.net." + n + " is on no bridge (lxc.net." + n + ".link)");
                    }
                    if (config.get("lxc.net." + n + ".veth.pair").isEmpty()) {
                        why.add("its veth lxc.net." + n + " has no fixed host end name (lxc.net." + n
                                + ".veth.pair): LXC's restore names the host end from it");
                    }
                }
                default -> why.add("its interface lxc.net." + n + " is of type " + type + "; Haul moves the types"
                        + " empty and veth");
            }
        }
        return why;
    }

    /** What LXC's restore tells CRIU of its veths, as the net handler would contribute it: veth[eth0]:PAIR@LINK. */
    static List<String> restoreExternals(LxcConfig config) {
        List<String> externals = new ArrayList<>();
        int position = 0;
        for (String n : indexes(config)) {
            if (config.get("lxc.net." + n + ".type").orElse("").equals("veth")) {
                String inside = config.get("lxc.net." + n + ".name").orElse("eth" + position);
                externals.add("veth[" + inside + "]:" + config.get("lxc.net." + n + ".veth.pair").orElse("") + "@"
                        + config.get("lxc.net." + n + ".link").orElse(""));
            }
            position++;
        }
        return externals;
    }
}
