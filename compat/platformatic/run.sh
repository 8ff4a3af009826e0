#!/usr/bin/env bash
# @platformatic/kafka from the npm registry, pinned by this folder's package-lock.json and installed into its own
# node_modules by `npm ci` (not a root dependency): scenarios.mjs.
#   run.sh install | run.sh test      (BOOTSTRAP=host:port)
# 1.35.0 is the newest release for Node 20 (2.x needs Node >= 22: Promise.withResolvers).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ "${1:-test}" = install ]; then
  stamp="$here/node_modules/.installed-$(sha256sum "$here/package-lock.json" | cut -c1-16)"
  [ -f "$stamp" ] && exit 0
  # Its dependencies declare Node >= 22.19 but run on Node 20: npm's EBADENGINE warnings stay out of the log.
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) && touch "$stamp"
  exit $?
fi
: "${BOOTSTRAP:?BOOTSTRAP=host:port}"
exec node "$here/scenarios.mjs"
