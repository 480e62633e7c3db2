#!/usr/bin/env bash
# ./haul fuzz: every decoder of bytes from a peer or from disk (control frames, the handshake, image streams,
# page pushes and recipes, control socket requests, CRIU's replies, the TLS transport's control framing) on N
# generated inputs each: random bytes, valid encodings, and valid ones mutated (bits flipped, cut short, huge
# length prefixes and counts, unknown versions, '../' names). Each input is decoded on a worker thread that
# counts what the decoder allocated for it and bounds its time. Prints a table per decoder: inputs, time, how
# they ended, crashes (anything but the decoder's documented errors), hangs, and the largest allocation one
# input made against its limit. Exit status 1 when a bound broke, with the inputs that broke it in hex.
#
#   ./haul fuzz [--inputs N] [--only NAME,NAME] [--time-limit-ms MS] [--seed S] [--refusals] [--list]
#
# N defaults to 1000000 per decoder; --list names the decoders; the time limit defaults to 2000 ms an input;
# --refusals also shows which of each decoder's refusals ended how many inputs (how deep the inputs got). The
# inputs come from a random source seeded anew each run; the report ends with the seed, and --seed S makes the
# same inputs again (with the same --inputs and --only) to repeat a run that broke a bound.
set -euo pipefail

HAUL_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
FUZZ="$HAUL_HOME/runtime/fuzz"
JAVA="${HAUL_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
# the modules whose decoders are fuzzed: their fresh classes and their fuzz targets (test classes)
MODULES=(bundles/protocol bundles/pages bundles/control bundles/criu transport-bundles/tls)

case "${1:-}" in
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
esac

"$HAUL_HOME/haul" build
mkdir -p "$FUZZ/target"
if ! (cd "$FUZZ" && mvn -B -q -o -Dstyle.color=never dependency:build-classpath \
        -Dmdep.outputFile="$FUZZ/target/classpath") >"$FUZZ/target/classpath.log" 2>&1; then
    cat "$FUZZ/target/classpath.log" >&2
    echo "fuzz: cannot resolve the class path of $FUZZ/pom.xml" >&2
    exit 2
fi
classes=""
for module in "${MODULES[@]}"; do
    classes+="$HAUL_HOME/$module/target/test-classes:$HAUL_HOME/$module/target/classes:"
done
# the image stream and recipe targets make and remove a file or a folder per input: in memory when possible
tmp=()
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    tmp=(-Djava.io.tmpdir=/dev/shm)
fi
# one decoder at a time on one worker thread; a small heap, so that an allocation run wild shows as a crash
exec "$JAVA" -Xmx1g "${tmp[@]}" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
    -cp "$classes$(cat "$FUZZ/target/classpath")" io.haul.fuzz.FuzzCampaign "$@"
