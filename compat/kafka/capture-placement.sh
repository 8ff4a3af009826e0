#!/usr/bin/env bash
# Regenerates test/replica/fixtures/striped-placement.json from Kafka 4.4.0's own StripedReplicaPlacer
# (compat/kafka/PlacementFixtures.java, run on the jars in compat/kafka/.work/libs).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
libs="$here/.work/libs"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
javac -d "$out" -cp "$libs/*" "$here/PlacementFixtures.java"
mkdir -p "$root/test/replica/fixtures"
java -cp "$libs/*:$out" PlacementFixtures "$root/test/replica/fixtures/striped-placement.json"
echo "wrote test/replica/fixtures/striped-placement.json"
