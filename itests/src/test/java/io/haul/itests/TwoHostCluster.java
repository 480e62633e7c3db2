package io.haul.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Two hosts on this machine and an agent on each, forming one cluster, as {@code runtime/demo/demo.sh} sets
 * them up: network namespaces joined by a veth pair ({@code runtime/setup/hosts.sh}), certificates of a cluster
 * CA made for the test ({@code runtime/setup/make-certs.sh}), each agent's {@code etc/*.cfg}, the agent JVM
 * started with {@code nsenter --net} (not {@code ip netns exec}, whose mount namespace CRIU cannot dump).
 *
 * <p>The agents run the way {@code ./haul agent} runs them (the same JVM options), from a copy of
 * {@code runtime/target/haul.jar} and of the control client taken when the cluster starts: {@code ./haul} rebuilds
 * the whole project first whenever any source is newer than haul.jar, which on a machine where people edit the
 * sources means builds racing each other (or failing) in the middle of a test, and a jar replaced under running
 * agents. Tests test what was built.
 *
 * <p>Names and addresses differ from the demo's (hosts {@code haulitA}/{@code haulitB}, 169.254.78.1/.2, cluster
 * {@code haulit}), so a demo can run beside the tests. One cluster per test class; {@link #close} stops what it
 * started, by pid, and removes the namespaces.
 */
public final class TwoHostCluster implements AutoCloseable {

    /** How a test class wants its cluster. */
    public static final class Options {
        String hostA = "haulitA";
        String hostB = "haulitB";
        String ipA = "169.254.78.1";
        String ipB = "169.254.78.2";
        String clusterName = "haulit";
        int stepTimeoutSeconds;
        String engineSettings = "";
        boolean folderOnlyOnA;
        final Map<String, String> extraConfiguration = new LinkedHashMap<>();

        /**
         * Other names and link-local addresses for the two hosts, so that the class's cluster runs beside the others'
         * (169.254.0.0/16 only).
         */
        public Options hosts(String a, String addressA, String b, String addressB) {
            this.hostA = a;
            this.ipA = addressA;
            this.hostB = b;
            this.ipB = addressB;
            return this;
        }

        /** Another cluster name than the default classes' {@code haulit}, so that the agents never meet theirs. */
        public Options clusterName(String name) {
            this.clusterName = name;
            return this;
        }

        /** One more file in each agent's {@code etc/} (e.g. {@code haul.eventbus.cfg}). */
        public Options configuration(String file, String content) {
            extraConfiguration.put(file, content);
            return this;
        }

        /** One more line {@code key=value} in each agent's {@code haul.engine.cfg} (e.g. testHoldAt). */
        public Options engineSetting(String key, String value) {
            this.engineSettings += key + "=" + value + "\n";
            return this;
        }

        /** Seconds either side waits for its peer before rolling back (haul.engine stepTimeoutSeconds). */
        public Options stepTimeoutSeconds(int seconds) {
            this.stepTimeoutSeconds = seconds;
            return this;
        }

        /**
         * Gives hostA a folder ({@link #onlyOnA()}) that hostB does not have, as two hosts without shared
         * storage: B's agent runs in a mount namespace of its own where an empty tmpfs covers that folder, so
         * what CRIU restores there finds nothing in it.
         */
        public Options folderOnlyOnA() {
            this.folderOnlyOnA = true;
            return this;
        }
    }

    static final long START_SECONDS = 120;
    static final long STOP_SECONDS = 20;
    static final long CLIENT_SECONDS = 60;
    static final long CLUSTER_SECONDS = 90;
    /** Tools the cluster needs beyond {@link Requirements.Need}: checked before anything starts. */
    private static final List<String> TOOLS = List.of("ip", "tc", "nsenter", "unshare", "setsid", "perl", "openssl",
            "mount");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The port every agent of the tests listens on for migrations (its engine's {@code listen}). */
    public static final int TRANSPORT_PORT = 7077;

    public final Path home;
    public final Path work;
    public final Agent a;
    public final Agent b;
    private final Options options;
    private final Path ca;
    private final Path haulJar;
    private final Path clientJar;
    private final Path onlyOnA;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private boolean hostsUp;
    /** This machine's lock on the hosts' names, held from before they are made until they are gone. */
    private MachineLock names;

    private TwoHostCluster(Class<?> testClass, Options options) throws IOException {
        this.options = options;
        this.home = Path.of(System.getProperty("haul.home", "..")).toAbsolutePath().normalize();
        Path base = Path.of(System.getProperty(LaunchProperties.WORK_DIR, "target/itests-work")).toAbsolutePath();
        // short: the control socket's path must stay under 108 bytes
        this.work = base.resolve(testClass.getSimpleName() + "-" + Long.toString(System.currentTimeMillis(), 36));
        Files.createDirectories(work);
        this.ca = work.resolve("ca");
        this.haulJar = work.resolve("bin/haul.jar");
        this.clientJar = work.resolve("bin/control.jar");
        this.onlyOnA = options.folderOnlyOnA ? work.resolve("only-on-A") : null;
        this.a = new Agent(options.hostA, options.ipA, false);
        this.b = new Agent(options.hostB, options.ipB, options.folderOnlyOnA);
    }

    /** Why this host cannot run a cluster (beyond the class's {@link Requirements.HostNeeds}), or null. */
    public static String unmet() {
        List<String> missing = new ArrayList<>();
        for (String tool : TOOLS) {
            if (Commands.which(tool) == null) {
                missing.add(tool);
            }
        }
        return missing.isEmpty() ? null : "missing tools " + missing + " (iproute2, util-linux, perl, openssl)";
    }

    /** Starts the hosts and both agents and waits until each agent lists both; skips the class when it cannot. */
    public static TwoHostCluster start(Class<?> testClass, Options options) throws Exception {
        Requirements.assume(testClass);
        String unmet = unmet();
        if (unmet != null) {
            System.out.println(testClass.getSimpleName() + ": skipped, " + unmet);
        }
        org.junit.Assume.assumeTrue(testClass.getSimpleName() + " skipped: " + unmet, unmet == null);
        MachineLock names = MachineLock.acquire(options.hostA, testClass.getSimpleName());
        TwoHostCluster cluster = new TwoHostCluster(testClass, options);
        cluster.names = names;
        try {
            long begin = System.nanoTime();
            cluster.up();
            System.out.printf("%s: two hosts and their agents up in %.1f s (work folder %s)%n", testClass.getSimpleName(),
                    (System.nanoTime() - begin) / 1e9, cluster.work);
            return cluster;
        } catch (Throwable e) {
            cluster.close();
            throw e;
        }
    }

    private void up() throws Exception {
        Files.createDirectories(work.resolve("bin"));
        Path runtime = Path.of(System.getProperty("haul.runtime.jar", home.resolve("runtime/target/haul.jar").toString()));
        if (!Files.isRegularFile(runtime)) {
            throw new AssertionError("no agent jar " + runtime + ": build first");
        }
        Files.copy(runtime, haulJar, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(controlJar(), clientJar, StandardCopyOption.REPLACE_EXISTING);
        if (onlyOnA != null) {
            Files.createDirectories(onlyOnA);
        }
        hostsUp = true;
        run(List.of(home.resolve("runtime/setup/hosts.sh").toString(), "up"), 60, hostsEnvironment());
        a.prepare();
        b.prepare();
        // one after the other: started together on a busy machine, each member may give up looking for the
        // other (joinTimeoutSeconds) and form a cluster of its own, which Hazelcast merges only minutes later
        a.start();
        b.start();
        awaitCluster(CLUSTER_SECONDS);
    }

    private Path controlJar() throws IOException {
        try (Stream<Path> jars = Files.list(home.resolve("bundles/control/target"))) {
            return jars.filter(p -> p.getFileName().toString().matches("control-.*\\.jar")
                    && !p.getFileName().toString().contains("sources")).findFirst()
                    .orElseThrow(() -> new AssertionError("no control client jar in bundles/control/target: build first"));
        }
    }

    private Map<String, String> hostsEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HAUL_HOST_A", options.hostA);
        env.put("HAUL_HOST_B", options.hostB);
        env.put("HAUL_HOST_A_IP", options.ipA);
        env.put("HAUL_HOST_B_IP", options.ipB);
        return env;
    }

    /**
     * A certificate made by make-certs.sh as for an agent named {@code name}, at hostA's address, signed by the
     * cluster's CA or (when {@code ownCa} is given) by another CA made in that folder of the work folder.
     * Returns its folder: ca.pem (the signing CA), agent.pem, agent.key.
     */
    public Path certificate(String name, String ownCa) throws IOException, InterruptedException {
        Path caDir = ownCa == null ? ca : work.resolve(ownCa);
        Path out = work.resolve("certs-" + name);
        run(List.of(home.resolve("runtime/setup/make-certs.sh").toString(), caDir.toString(), name, out.toString()), 60,
                Map.of("HAUL_CERT_IPS", options.ipA));
        return out;
    }

    /** The cluster CA's certificate, which every agent trusts. */
    public Path caCertificate() {
        return ca.resolve("ca.pem");
    }

    /** The folder only hostA has (see {@link Options#folderOnlyOnA}). */
    public Path onlyOnA() {
        if (onlyOnA == null) {
            throw new IllegalStateException("this cluster was started without folderOnlyOnA()");
        }
        return onlyOnA;
    }

    public Agent agent(String name) {
        if (a.name.equals(name)) {
            return a;
        }
        if (b.name.equals(name)) {
            return b;
        }
        throw new IllegalArgumentException("no agent " + name);
    }

    // ---- what a user types -------------------------------------------------------------------------

    /** {@code ./haul ARGS} against this agent (the control client ./haul runs, without its build step). */
    public Commands.Result client(Agent agent, String... args) throws IOException, InterruptedException {
        return Commands.run(clientCommand(agent, args), CLIENT_SECONDS);
    }

    /** A command whose output the test follows while it runs ({@code migrate}, {@code cancel}). */
    public LiveCommand clientLive(Agent agent, String... args) throws IOException {
        LiveCommand command = LiveCommand.start(clientCommand(agent, args));
        owned.add(command);
        return command;
    }

    /**
     * {@code haul migrate REF --to B} run on A, its output printed under {@code label}; unless it succeeded, fails
     * with that output and both agents' logs (where the cause of a failed migration is).
     */
    public Commands.Result migrateToB(String ref, String label, double seconds) throws Exception {
        Commands.Result result = clientLive(a, "migrate", ref, "--to", b.name).result(seconds);
        System.out.println(label + " migrate printed:\n" + result.output());
        if (result.exitCode() != 0) {
            throw new AssertionError("migrate succeeds:\n" + result.output() + "\nA's log:\n" + a.logText()
                    + "\nB's log:\n" + b.logText());
        }
        return result;
    }

    private List<String> clientCommand(Agent agent, String... args) {
        List<String> command = new ArrayList<>(List.of(java(), "-cp", clientJar.toString(),
                "io.haul.control.ControlClient", agent.socket().toString()));
        command.addAll(List.of(args));
        return command;
    }

    /** A command's JSON output ({@code --json}), which must succeed. */
    public JsonNode json(Agent agent, String... args) throws IOException, InterruptedException {
        Commands.Result result = client(agent, args);
        if (result.exitCode() != 0) {
            throw new AssertionError(String.join(" ", args) + " on " + agent.name + " failed (" + result.exitCode()
                    + "): " + result.output());
        }
        return JSON.readTree(result.stdout());
    }

    /** The migration's record as {@code ./haul migration ID --json} prints it on this agent. */
    public JsonNode record(Agent agent, String id) throws IOException, InterruptedException {
        return json(agent, "migration", "--json", id);
    }

    /** The names each agent lists in {@code agents --json}. */
    public List<String> agentsSeenBy(Agent agent) throws IOException, InterruptedException {
        Commands.Result result = client(agent, "agents", "--json");
        if (result.exitCode() != 0) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (JsonNode node : JSON.readTree(result.stdout()).path("agents")) {
            names.add(node.path("name").asText());
        }
        return names;
    }

    /** Waits until each agent lists both; polled, as membership has no event a client can wait on. */
    public void awaitCluster(long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<String> seenByA = List.of();
        List<String> seenByB = List.of();
        while (System.nanoTime() < deadline) {
            seenByA = agentsSeenBy(a);
            seenByB = agentsSeenBy(b);
            if (seenByA.containsAll(List.of(a.name, b.name)) && seenByB.containsAll(List.of(a.name, b.name))) {
                return;
            }
            for (Agent agent : List.of(a, b)) {
                if (!agent.alive()) {
                    throw new AssertionError("agent " + agent.name + " exited while the cluster formed\n" + agent.output());
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the agents did not form one cluster within " + seconds + " s: " + a.name + " lists "
                + seenByA + ", " + b.name + " lists " + seenByB + "\n" + a.output() + "\n" + b.output());
    }

    /**
     * Puts the cluster back as a test expects it: the link up and uncapped, both agents running and listing
     * each other (an agent is restarted if not). Returns what had to be repaired, "" when nothing.
     */
    public String ensureHealthy() throws Exception {
        List<String> repaired = new ArrayList<>();
        linkUp();
        uncapLink();
        for (Agent agent : List.of(a, b)) {
            if (!agent.alive()) {
                repaired.add(agent.name + " was not running: started again");
                agent.start();
            }
        }
        try {
            awaitCluster(10); // a whole cluster answers at once; a split one that heals, within seconds
        } catch (AssertionError e) {
            for (Agent agent : List.of(a, b)) {
                List<String> seen = agentsSeenBy(agent == a ? b : a);
                if (!seen.contains(agent.name)) {
                    repaired.add(agent.name + " was not listed by its peer: restarted (" + e.getMessage().lines()
                            .findFirst().orElse("") + ")");
                    agent.stop();
                    agent.start();
                }
            }
            awaitCluster(CLUSTER_SECONDS);
        }
        return String.join("; ", repaired);
    }

    // ---- the link ------------------------------------------------------------------------------------

    /** The client machine's namespace on the hosts' segment, as hosts.sh names it (hostA's name, C for A). */
    public String hostC() {
        return options.hostA.endsWith("A") ? options.hostA.substring(0, options.hostA.length() - 1) + "C"
                : options.hostA + "c";
    }

    /** An address on the hosts' segment (a /24, hosts.sh's): hostA's with {@code last} as its last byte. */
    public String segmentAddress(int last) {
        return options.ipA.substring(0, options.ipA.lastIndexOf('.') + 1) + last;
    }

    /** The veth end in hostA's namespace, as hosts.sh names it. */
    public String vethA() {
        return "haul-" + options.hostA;
    }

    /** Caps what hostA sends to hostB (tbf on hostA's veth), so a transfer lasts long enough to act in. */
    public void capLink(String rate) throws IOException, InterruptedException {
        uncapLink();
        run(List.of("tc", "-n", options.hostA, "qdisc", "add", "dev", vethA(), "root", "tbf", "rate", rate,
                "burst", "256kb", "latency", "20ms"), 30, Map.of());
    }

    /**
     * Caps only the migration transfers hostA sends (to hostB's transport port), and leaves the control traffic
     * beside them (Hazelcast, the event bus) its full rate: a tbf that the transfer keeps full drops nearly every
     * packet of a small flow too, and a request's TCP backing off from repeated losses took over 30 s to cross
     * once. For tests of what a user does while a transfer is slow, not of a congested link.
     */
    public void capTransfers(String rate) throws IOException, InterruptedException {
        uncapLink();
        String ns = options.hostA;
        // htb (this kernel has no prio qdisc): class 1:10, unlimited, takes every packet the filter does not send
        // to 1:30, the cap; a short queue under the cap keeps the transfer's own latency near what tbf gives
        run(List.of("tc", "-n", ns, "qdisc", "add", "dev", vethA(), "root", "handle", "1:", "htb", "default", "10"),
                30, Map.of());
        run(List.of("tc", "-n", ns, "class", "add", "dev", vethA(), "parent", "1:", "classid", "1:10", "htb", "rate",
                "10gbit", "quantum", "60000"), 30, Map.of());
        run(List.of("tc", "-n", ns, "class", "add", "dev", vethA(), "parent", "1:", "classid", "1:30", "htb", "rate",
                rate, "ceil", rate, "burst", "256kb"), 30, Map.of());
        run(List.of("tc", "-n", ns, "qdisc", "add", "dev", vethA(), "parent", "1:30", "handle", "30:", "pfifo",
                "limit", "200"), 30, Map.of());
        run(List.of("tc", "-n", ns, "filter", "add", "dev", vethA(), "parent", "1:", "protocol", "ip", "prio", "1",
                "u32", "match", "ip", "dport", Integer.toString(TRANSPORT_PORT), "0xffff", "flowid", "1:30"), 30, Map.of());
    }

    public void uncapLink() throws IOException, InterruptedException {
        Commands.run(List.of("tc", "-n", options.hostA, "qdisc", "del", "dev", vethA(), "root"), 30); // none: fine
    }

    public void linkDown() throws IOException, InterruptedException {
        run(List.of("ip", "-n", options.hostA, "link", "set", vethA(), "down"), 30, Map.of());
    }

    public void linkUp() throws IOException, InterruptedException {
        if (hostsUp) {
            run(List.of("ip", "-n", options.hostA, "link", "set", vethA(), "up"), 30, Map.of());
        }
    }

    // ---- what is left behind -------------------------------------------------------------------------

    /** Image folders under either agent's {@code migrations/} that still hold files. */
    public List<String> leftoverImages() throws IOException {
        return leftoverImages(null, a, b);
    }

    /**
     * Image folders of migration {@code id} (every migration when null) on these agents that still hold files,
     * and the folders of what was made to send them (files sent ahead, page recipes).
     */
    public List<String> leftoverImages(String id, Agent... agents) throws IOException {
        List<String> left = new ArrayList<>();
        for (Agent agent : agents) {
            Path migrations = agent.state.resolve("migrations");
            if (!Files.isDirectory(migrations)) {
                continue;
            }
            try (DirectoryStream<Path> each = Files.newDirectoryStream(migrations)) {
                for (Path migration : each) {
                    if (id != null && !migration.getFileName().toString().equals(id)) {
                        continue;
                    }
                    for (String folder : List.of("images", "ahead", "recipes")) {
                        Path images = migration.resolve(folder);
                        if (!Files.isDirectory(images)) {
                            continue;
                        }
                        try (Stream<Path> files = Files.walk(images)) {
                            long count = files.filter(Files::isRegularFile).count();
                            if (count > 0) {
                                left.add(images + " (" + count + " files)");
                            }
                        } catch (IOException | java.io.UncheckedIOException e) {
                            left.add(images + " (being removed: " + e.getMessage() + ")");
                        }
                    }
                }
            }
        }
        return left;
    }

    /** Bytes CRIU images of migration {@code id} take on the agent so far (what arrived, on a destination). */
    public long imageBytes(Agent agent, String id) {
        Path images = agent.state.resolve("migrations").resolve(id).resolve("images");
        try (Stream<Path> files = Files.walk(images)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    /**
     * CRIU processes still running under either agent (none should outlive a migration). Haul's CRIU runs
     * through its own loader, so it is known by its command line ({@code .../criu ... criu swrk 3}, or
     * {@code criu: dump --rpc} once it renamed itself), not by its comm.
     */
    public List<Procs.Task> criuLeftOver() {
        List<Procs.Task> left = new ArrayList<>();
        for (Agent agent : List.of(a, b)) {
            if (!agent.alive()) {
                continue;
            }
            for (long pid : Procs.tree(agent.pid())) {
                if (pid != agent.pid()) {
                    Procs.task(pid).filter(t -> t.cmdline().contains("criu")).ifPresent(left::add);
                }
            }
        }
        return left;
    }

    // ---- ending ----------------------------------------------------------------------------------------

    /** Registers something to close with the cluster (a workload), before the agents stop. */
    public <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    @Override
    public void close() {
        for (AutoCloseable resource : owned.reversed()) {
            try {
                resource.close();
            } catch (Exception e) {
                System.out.println("TwoHostCluster: closing " + resource + ": " + e);
            }
        }
        a.stop();
        b.stop();
        // anything still running from this cluster's folder (a tree restored by an agent, known by its working
        // directory, which a lazily restored task shows before its command line): started here, by pid
        Map<Long, Procs.Task> leftovers = new java.util.TreeMap<>();
        Procs.withCommandLineContaining(work.toString()).forEach(task -> leftovers.put(task.pid(), task));
        Procs.workingIn(work).forEach(task -> leftovers.put(task.pid(), task));
        for (Procs.Task task : leftovers.values()) {
            if (task.pid() != ProcessHandle.current().pid()) {
                System.out.println("TwoHostCluster: killing leftover " + task);
                ProcessHandle.of(task.pid()).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        if (hostsUp) {
            try {
                run(List.of(home.resolve("runtime/setup/hosts.sh").toString(), "down"), 60, hostsEnvironment());
            } catch (Exception e) {
                System.out.println("TwoHostCluster: hosts.sh down failed: " + e);
            }
        }
        // the logs stay for people to read; the copies of the jars, the framework caches and any images go
        for (Agent agent : List.of(a, b)) {
            HaulRuntime.deleteTree(agent.state.resolve("felix-cache"));
            try (DirectoryStream<Path> each = Files.newDirectoryStream(agent.state.resolve("migrations"))) {
                each.forEach(migration -> HaulRuntime.deleteTree(migration.resolve("images")));
            } catch (IOException e) {
                // no migrations folder: nothing to remove
            }
        }
        HaulRuntime.deleteTree(work.resolve("bin"));
        if (names != null) {
            try {
                names.close();
            } catch (IOException e) {
                System.out.println("TwoHostCluster: releasing the lock on the hosts' names: " + e);
            }
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static Commands.Result run(List<String> command, long seconds, Map<String, String> env)
            throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (!env.isEmpty()) {
            full.add("env");
            env.forEach((k, v) -> full.add(k + "=" + v));
        }
        full.addAll(command);
        Commands.Result result = Commands.run(full, seconds);
        if (result.exitCode() != 0) {
            throw new AssertionError(String.join(" ", full) + " failed (" + result.exitCode() + "): " + result.output());
        }
        return result;
    }

    /** One agent: its state folder, its configuration, its JVM. */
    public final class Agent {
        public final String name;
        public final String ip;
        public final Path state;
        private final boolean hidesOnlyOnA;
        private final Path out;
        private final Map<Path, String> configuration = new LinkedHashMap<>();
        private Process process;

        Agent(String name, String ip, boolean hidesOnlyOnA) {
            this.name = name;
            this.ip = ip;
            this.state = work.resolve(name);
            this.hidesOnlyOnA = hidesOnlyOnA;
            this.out = work.resolve(name + ".out");
        }

        public Path socket() {
            return state.resolve("control.sock");
        }

        public Path log() {
            return state.resolve("log/haul.log");
        }

        public String logText() {
            try {
                return Files.readString(log());
            } catch (IOException e) {
                return "";
            }
        }

        /** The first line of the agent's log that contains {@code text}; fails after {@code seconds}. */
        public String awaitLog(String text, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (true) {
                // the log is where the agent says it; no other event reaches the test
                var line = logText().lines().filter(l -> l.contains(text)).findFirst();
                if (line.isPresent()) {
                    return line.get();
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no '" + text + "' in " + this + "'s log within " + seconds + " s\n"
                            + output());
                }
                Thread.sleep(100);
            }
        }

        /** The agent JVM's pid. */
        public long pid() {
            return process == null ? -1 : process.pid();
        }

        public boolean alive() {
            return process != null && process.isAlive();
        }

        /** The state folder as ./haul agent and the demo write it: configuration and certificates. */
        void prepare() throws IOException, InterruptedException {
            for (String dir : List.of("etc", "deploy", "log")) {
                Files.createDirectories(state.resolve(dir));
            }
            Files.setPosixFilePermissions(state, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            String members = options.ipA + "," + options.ipB;
            configuration.put(state.resolve("etc/haul.agent.cfg"), "name=" + name + "\nlogLevel=INFO\n");
            // heartbeats: a member on the far side of a dead link is declared gone after 10 s, not Hazelcast's
            // 60 (until then writes to the records it owns wait); merges after a healed split start within 5 s
            configuration.put(state.resolve("etc/haul.cluster.cfg"), "clusterName=" + options.clusterName + "\nbindAddress=" + ip
                    + "\nmembers=" + members + "\nhazelcast.max.no.heartbeat.seconds=10\n"
                    + "hazelcast.heartbeat.interval.seconds=1\nhazelcast.merge.first.run.delay.seconds=5\n"
                    + "hazelcast.merge.next.run.delay.seconds=5\n");
            configuration.put(state.resolve("etc/haul.engine.cfg"), "listen=" + ip + ":" + TRANSPORT_PORT + "\n"
                    + (options.stepTimeoutSeconds > 0 ? "stepTimeoutSeconds=" + options.stepTimeoutSeconds + "\n" : "")
                    + options.engineSettings);
            options.extraConfiguration.forEach((file, content) -> configuration.put(state.resolve("etc").resolve(file), content));
            for (Map.Entry<Path, String> file : configuration.entrySet()) {
                Files.writeString(file.getKey(), file.getValue());
            }
            run(List.of(home.resolve("runtime/setup/make-certs.sh").toString(), ca.toString(), name,
                    state.resolve("tls").toString()), 60, Map.of("HAUL_CERT_IPS", ip));
        }

        /** Starts the agent in its host's network namespace and waits for its control socket. */
        public void start() throws Exception {
            Files.deleteIfExists(socket()); // left by an agent that was killed
            List<String> command = new ArrayList<>(List.of(Commands.which("nsenter").toString(),
                    "--net=/run/netns/" + name));
            if (hidesOnlyOnA) {
                // the JVM's own mount namespace, where an empty tmpfs covers the folder only A has
                command.addAll(List.of(Commands.which("unshare").toString(), "-m", "--propagation", "private",
                        "sh", "-c", "mount -t tmpfs -o size=1m,mode=0755 haul-itest \"$0\" && exec \"$@\"",
                        onlyOnA.toString()));
            }
            command.addAll(List.of(java(), "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                    // as ./haul agent: Hazelcast reaches into the JDK
                    "--add-modules", "java.se", "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
                    "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens", "java.management/sun.management=ALL-UNNAMED",
                    "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
                    "-Dhazelcast.osgi.jsr223.disabled=true",
                    "-Dhaul.state=" + state, "-Dlaunch.storage.dir=" + state.resolve("felix-cache"),
                    "-Dorg.osgi.framework.storage.clean=onFirstInit", "-Dgosh.home=" + home.resolve("runtime/shell"),
                    "-Dgosh.args=--nointeractive", "-Dorg.jline.terminal.dumb=true", "-jar", haulJar.toString()));
            try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
                state.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
                process = new ProcessBuilder(command).directory(home.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                        .start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
                while (!Files.exists(socket())) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("no control socket " + socket() + " within " + START_SECONDS + " s\n"
                                + output());
                    }
                    if (!process.isAlive()) {
                        throw new AssertionError("agent " + name + " exited with " + process.exitValue()
                                + " before opening its socket\n" + output());
                    }
                    // wakes on any file created in the state folder; the bound only lets us notice a dead agent
                    WatchKey key = watcher.poll(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
                    if (key != null) {
                        key.pollEvents();
                        key.reset();
                    }
                }
            }
            String exe = Files.readSymbolicLink(Path.of("/proc", Long.toString(process.pid()), "exe")).toString();
            if (!exe.endsWith("/java")) {
                throw new AssertionError("agent " + name + ": pid " + process.pid() + " is " + exe + ", not the JVM");
            }
            checkConfiguration();
        }

        /**
         * The agent only reads etc/: it once wrote configurations back into their files, racing its own
         * polling, and under load left files empty (fixed by commit 29815f0); a start that changes them fails.
         */
        private void checkConfiguration() throws IOException {
            for (Map.Entry<Path, String> file : configuration.entrySet()) {
                String now = Files.readString(file.getKey());
                if (!now.equals(file.getValue())) {
                    throw new AssertionError("product bug: agent " + name + " rewrote its configuration file "
                            + file.getKey() + " at start; it held:\n" + file.getValue() + "and holds now:\n" + now);
                }
            }
        }

        /** SIGTERM, as a service manager stops it; SIGKILL if it has not stopped within {@value #STOP_SECONDS} s. */
        public void stop() {
            if (process == null) {
                return;
            }
            try {
                if (process.isAlive()) {
                    process.destroy();
                    if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
                        System.out.println("TwoHostCluster: agent " + name + " did not stop within " + STOP_SECONDS
                                + " s of SIGTERM: SIGKILL");
                        process.destroyForcibly();
                        process.waitFor(10, TimeUnit.SECONDS);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** SIGKILL: the agent dies as on a crash. */
        public void kill() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }

        /** The tail of what the agent printed and logged, for failure messages. */
        public String output() {
            StringBuilder text = new StringBuilder("--- agent " + name + " (" + out + ", " + log() + "):\n");
            try {
                List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
                lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(l -> text.append(l).append('\n'));
            } catch (IOException e) {
                text.append("(no output: ").append(e.getMessage()).append(")\n");
            }
            return text.toString();
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
