package io.haul.fuzz;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * {@code ./haul fuzz}: every decoder on the class path ({@link FuzzTargets}) on {@code --inputs} generated
 * inputs each, one decoder after the other on one worker thread (the machine's other core stays free), then a
 * table of how they did. Exit status 0 when every bound held, 1 when one broke, 2 for a wrong command line.
 *
 * <pre>
 *   FuzzCampaign [--inputs N] [--only NAME,NAME] [--time-limit-ms MS] [--seed S] [--refusals] [--list]
 * </pre>
 * {@code --refusals} also shows, per decoder, which of its refusals ended how many inputs. Each decoder's inputs
 * come from a {@link Random} of the run's seed (new each run unless {@code --seed} or {@link FuzzSeed#PROPERTY}
 * names it): the report ends with the seed, and the same seed makes the same inputs again.
 */
public final class FuzzCampaign {

    private static final long DEFAULT_INPUTS = 1_000_000;

    private FuzzCampaign() {
    }

    public static void main(String[] args) {
        long inputs = DEFAULT_INPUTS;
        Set<String> only = Set.of();
        Duration timeLimit = FuzzAssertions.TIME_LIMIT;
        boolean list = false;
        boolean refusals = false;
        Long seed = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--inputs" -> inputs = Long.parseLong(args[++i]);
                    case "--only" -> only = Set.of(args[++i].split(","));
                    case "--time-limit-ms" -> timeLimit = Duration.ofMillis(Long.parseLong(args[++i]));
                    case "--list" -> list = true;
                    case "--refusals" -> refusals = true;
                    case "--seed" -> seed = Long.parseLong(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (inputs < 1 || timeLimit.isNegative() || timeLimit.isZero()) {
                throw new IllegalArgumentException("--inputs and --time-limit-ms want positive numbers");
            }
        } catch (RuntimeException e) { // a bad number, a missing value, an unknown option
            System.err.println("fuzz: " + e.getMessage()
                    + " (usage: ./haul fuzz [--inputs N] [--only NAME,NAME] [--time-limit-ms MS] [--seed S] [--refusals] [--list])");
            System.exit(2);
        }

        List<FuzzTarget> targets = new ArrayList<>();
        for (FuzzTargets module : ServiceLoader.load(FuzzTargets.class)) {
            for (FuzzTarget target : module.targets()) {
                if (only.isEmpty() || only.contains(target.name())) {
                    targets.add(target);
                }
            }
        }
        if (list || targets.isEmpty()) {
            targets.forEach(target -> System.out.println(target.name()));
            System.exit(targets.isEmpty() ? 2 : 0);
        }

        long runSeed = seed != null ? seed : FuzzSeed.pick();
        List<Tally> tallies = new ArrayList<>();
        long started = System.nanoTime();
        for (FuzzTarget target : targets) {
            Tally tally = run(target, inputs, timeLimit, runSeed);
            tallies.add(tally);
            System.err.printf("fuzz: %-22s %d inputs in %s, %s%n", target.name(), tally.inputs,
                    Sizes.nanos(tally.elapsedNanos), tally.boundsHeld() ? "bounds held" : "A BOUND BROKE");
        }
        System.out.println();
        CampaignTable.print(tallies, System.out);
        if (refusals) {
            CampaignTable.printRefusals(tallies, System.out);
        }
        boolean held = tallies.stream().allMatch(Tally::boundsHeld);
        System.out.printf("%n%d decoders, %d inputs each, in %s: %s (time limit %d ms per input, seed %d)%n",
                tallies.size(), inputs, Sizes.nanos(System.nanoTime() - started),
                held ? "every bound held" : "BOUNDS BROKEN", timeLimit.toMillis(), runSeed);
        if (!held) {
            System.out.printf("the same inputs again: ./haul fuzz --seed %d --inputs %d --only %s%n", runSeed, inputs,
                    String.join(",", tallies.stream().filter(t -> !t.boundsHeld()).map(t -> t.target.name()).toList()));
        }
        System.exit(held ? 0 : 1);
    }

    private static Tally run(FuzzTarget target, long inputs, Duration timeLimit, long seed) {
        Tally tally = new Tally(target);
        long started = System.nanoTime();
        try (BoundedRunner runner = new BoundedRunner(target, timeLimit)) {
            Iterator<byte[]> generated = target.inputs().stream(new Random(seed)).iterator();
            tally.finished = runner.run(generated, inputs, tally::add);
        }
        tally.elapsedNanos = System.nanoTime() - started;
        return tally;
    }
}
