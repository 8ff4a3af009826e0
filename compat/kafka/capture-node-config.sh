#!/usr/bin/env bash
# Records Kafka 4.4.0's verdict (KafkaConfig.fromProps) on every case of
# test/node/fixtures/node-config-cases.properties into test/node/fixtures/kafka-4.4.0-node-config.tsv,
# the fixture test/node/config.test.ts holds samsa's node config validation to.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bash "$here/broker.sh" java -version >/dev/null 2>&1 || true # installs the jars if needed
libs="$here/.work/libs"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
javac -d "$out" -cp "$libs/*" "$here/KafkaConfigCheck.java"
java -cp "$libs/*:$out" -Dlog4j2.configurationFile="$here/log4j2.properties" KafkaConfigCheck \
  "$root/test/node/fixtures/node-config-cases.properties" "$root/test/node/fixtures/kafka-4.4.0-node-config.tsv" >/dev/null
wc -l "$root/test/node/fixtures/kafka-4.4.0-node-config.tsv"
