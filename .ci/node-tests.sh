#!/usr/bin/env bash
# Prints the test files that exercise Node itself: every test/**/*.test.ts except those that run
# Kafka's JVM tools or start a multi-node cluster (JVM start-up and cluster elections dominate their
# time, and they test samsa's protocol, not the Node runtime). The rule is a grep, so new tests fall
# on the right side without a list to keep up.
set -euo pipefail
cd "$(dirname "$0")/.."
heavy="kafka-tool|jepsen-run|compat/kafka|broker\\.sh|kafka-run-class|[\"']java[\"']|helpers/cluster-|netns-cluster|startCluster|launchLocalCluster|--nodes"
find test -name '*.test.ts' | sort | while read -r f; do
  grep -qE "$heavy" "$f" || echo "$f"
done
