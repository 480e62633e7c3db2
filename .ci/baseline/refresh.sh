#!/usr/bin/env bash
# Makes the API baseline the build checks every exported package against (bnd-baseline-maven-plugin): the
# bundles' jars as built now, stripped to their manifest and exported packages, in a Maven layout beside this
# script, as version 0.1.0-baseline. Run it after a release, never to make a failing baseline pass: a change
# bnd calls major or minor needs the package's version bumped (package-info.java), not a new baseline.
#   .ci/baseline/refresh.sh        (after mvn install)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
home=$(cd "$here/../.." && pwd)
version=0.1.0-baseline
for module in api host criu cluster json agent eventbus; do
    jar=$(ls "$home"/bundles/$module/target/$module-*-SNAPSHOT.jar)
    work=$(mktemp -d)
    (cd "$work" && unzip -q "$jar")
    # Export-Package's package names, one per line (a uses:= list holds commas too: split outside quotes)
    exports=$(python3 -c '
import re, sys
manifest = open(sys.argv[1]).read().replace("\r", "").replace("\n ", "")
header = re.search(r"^Export-Package: (.*)$", manifest, re.M).group(1)
for clause in re.split(r",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", header):
    print(clause.split(";")[0])' "$work/META-INF/MANIFEST.MF")
    keep=("META-INF/MANIFEST.MF")
    for package in $exports; do
        dir=${package//.//}
        for file in "$work/$dir"/*; do
            [ -f "$file" ] && keep+=("${file#"$work"/}")
        done
    done
    target="$here/io/haul/$module/$version"
    mkdir -p "$target"
    rm -f "$target/$module-$version.jar"
    (cd "$work" && zip -q -X "$target/$module-$version.jar" "${keep[@]}")
    printf '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>\n  <groupId>io.haul</groupId><artifactId>%s</artifactId><version>%s</version>\n</project>\n' \
        "$module" "$version" > "$target/$module-$version.pom"
    # a version range resolves through the artifact's metadata, which lists its versions
    printf '<metadata><groupId>io.haul</groupId><artifactId>%s</artifactId>\n  <versioning><release>%s</release><versions><version>%s</version></versions></versioning>\n</metadata>\n' \
        "$module" "$version" "$version" > "$here/io/haul/$module/maven-metadata.xml"
    rm -rf "$work" "${HOME}/.m2/repository/io/haul/$module/$version" # a cached copy of the old one would win
    echo "baseline: $module: $(echo $exports | wc -w) packages, $(stat -c %s "$target/$module-$version.jar") bytes"
done
