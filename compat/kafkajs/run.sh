#!/usr/bin/env bash
# kafkajs (the root package's pinned dev dependency): scenarios.ts.   run.sh install | run.sh test
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
if [ "${1:-test}" = install ]; then
  [ -d "$root/node_modules/kafkajs" ] && [ -d "$root/node_modules/tsx" ] && exit 0
  (cd "$root" && npm ci --no-audit --no-fund)
  exit $?
fi
: "${BOOTSTRAP:?BOOTSTRAP=host:port}"
cd "$root" && exec node --import tsx compat/kafkajs/scenarios.ts
