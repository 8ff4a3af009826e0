#!/usr/bin/env bash
# Records Kafka 4.4.0's verdict (KafkaConfig.fromProps) on every case of
# test/node/fixtures/node-config-cases.properties (written by hand) and of
# test/node/fixtures/node-config-random-cases.properties (regenerated here from a fixed seed by
# node-config-random-cases.ts) into test/node/fixtures/kafka-4.4.0-node-config.tsv, the fixture
# test/node/config.test.ts holds samsa's node config validation to.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
fixtures="$root/test/node/fixtures"
bash "$here/broker.sh" java -version >/dev/null 2>&1 || true # installs the jars if needed
libs="$here/.work/libs"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
(cd "$root" && npx tsx compat/kafka/node-config-random-cases.ts 300 44) > "$fixtures/node-config-random-cases.properties"
cat "$fixtures/node-config-cases.properties" "$fixtures/node-config-random-cases.properties" > "$out/cases.properties"
javac -d "$out" -cp "$libs/*" "$here/KafkaConfigCheck.java"
java -cp "$libs/*:$out" -Dlog4j2.configurationFile="$here/log4j2.properties" KafkaConfigCheck \
  "$out/cases.properties" "$fixtures/kafka-4.4.0-node-config.tsv" >/dev/null 2>&1
wc -l "$fixtures/kafka-4.4.0-node-config.tsv"
