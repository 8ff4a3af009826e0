#!/usr/bin/env bash
# Prints every test file, the long ones first: those that run Kafka's JVM tools or start a
# multi-node cluster (JVM start-up and elections dominate their time), then the rest. tap starts
# files in the order given, so the long ones do not start last and leave the other jobs idle.
# The rule is a grep, so new tests fall on the right side without a list to keep up.
set -euo pipefail
cd "$(dirname "$0")/.."
heavy="kafka-tool|jepsen-run|compat/kafka|broker\\.sh|kafka-run-class|[\"']java[\"']|helpers/cluster-|netns-cluster|startCluster|launchLocalCluster|--nodes|fuzzShard|SAMSA_TORTURE|keytool"
files=$(find test -name '*.test.ts' | sort)
grep -lE "$heavy" $files || true
grep -LE "$heavy" $files || true
